using System.Text.Json;
using System.Text.Json.Serialization;
using Routing.Contracts;

namespace Routing.AgentGateway.Events;

/// <summary>A conversation as an agent sees it (the agent API and the events).</summary>
internal class ConversationView
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public string? AgentId { get; init; }
    public string Status { get; init; } = "";
    public string Channel { get; init; } = "";
    public string ChannelAccount { get; init; } = "";
    public string? CustomerDisplayName { get; init; }
    public DateTime? OfferExpiresAt { get; init; }
    public DateTime? AssignedAt { get; init; }
    public DateTime? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? CloseReason { get; init; }
    public DateTime UpdatedAt { get; init; }

    public const string Columns = """
        id, customer_id as CustomerId, agent_id as AgentId, status, channel, channel_account as ChannelAccount,
        customer_display_name as CustomerDisplayName, offer_expires_at as OfferExpiresAt, assigned_at as AssignedAt,
        closed_at as ClosedAt, closed_by as ClosedBy, close_reason as CloseReason, updated_at as UpdatedAt
        """;
}

/// <summary>A message of a conversation: the customer's (in), or an agent's reply with how far it got (out).</summary>
internal sealed class MessageView
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public string Direction { get; init; } = "";
    public string Channel { get; init; } = "";
    public string ChannelAccount { get; init; } = "";
    public string AddressKind { get; init; } = "";
    public string AddressValue { get; init; } = "";
    public string? DisplayName { get; init; }
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];
    public string? ProviderMessageId { get; init; }
    public string? AgentId { get; init; }
    public string? Status { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTime At { get; init; }
    public DateTime? StatusAt { get; init; }

    /// <summary>private, or public: a post or comment everyone can read (the customer's), or a public reply (an agent's).</summary>
    public string Visibility { get; init; } = MessageVisibility.Private;

    /// <summary>For a public message of the customer's: the post it is under, what it answers, and a link to it.</summary>
    public PublicPost? Post { get; init; }

    public const string Columns = """
        id, conversation_id as ConversationId, direction, channel, channel_account as ChannelAccount, address_kind as AddressKind,
        address_value as AddressValue, display_name as DisplayName, subject, body as Text, attachments::text as AttachmentsJson,
        provider_message_id as ProviderMessageId, agent_id as AgentId, status, error_code as ErrorCode, error_message as ErrorMessage,
        at, status_at as StatusAt, visibility, post::text as PostJson
        """;

    /// <summary>Dapper sets the post as the stored JSON text.</summary>
    [JsonIgnore]
    public string? PostJson { init => Post = value is null ? null : JsonSerializer.Deserialize<PublicPost>(value, AgentEventLog.Json); }

    /// <summary>Dapper sets the attachments as the stored JSON text.</summary>
    [JsonIgnore]
    public string AttachmentsJson { init => Attachments = JsonSerializer.Deserialize<List<MessageAttachment>>(value, AgentEventLog.Json) ?? []; }
}

/// <summary>What the agent is shown of the customer: the whole person, not the address that wrote.</summary>
internal sealed record CustomerContext(
    Guid Id,
    string? Name,
    IReadOnlyList<CustomerAddress> Addresses,
    IReadOnlyList<string> Owners,
    IReadOnlyList<AgentRelationship> History,
    IReadOnlyList<ConversationMessage> EarlierMessages)
{
    /// <summary>What agents and operators wrote down about the customer, newest first (the latest 20), with who and when.</summary>
    public IReadOnlyList<CustomerNote> Notes { get; init; } = [];

    /// <summary>The customer's tags (vip, returns, …).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>
/// Why routing gave the conversation to this agent: a sentence for people, and the receipt for tools; for a transfer,
/// who moved it here (an agent, or operator:name) and what they wrote for the next agent.
/// </summary>
internal sealed record RoutingContext(string Summary, RoutingReceiptSummary Receipt, string? TransferredBy = null, string? TransferNote = null);

/// <summary>The stored context of a conversation (gateway_conversations.context).</summary>
internal sealed record ConversationContext(CustomerContext Customer, RoutingContext Routing);
