namespace Routing.Contracts;

/// <summary>An inbound message joined a conversation; AgentId is set when the conversation has an agent.</summary>
public sealed record MessageRouted
{
    public required Guid MessageId { get; init; }

    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public string? AgentId { get; init; }

    /// <summary>open, held or queued: the state of the conversation after this message.</summary>
    public required string ConversationStatus { get; init; }

    public required string Channel { get; init; }

    public required string ChannelAccount { get; init; }

    public required string ProviderMessageId { get; init; }

    public required CustomerAddress Sender { get; init; }

    public string? ThreadKey { get; init; }

    public string? Subject { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];

    public string? ReplyToProviderMessageId { get; init; }

    /// <summary><see cref="MessageVisibility"/>: private or public.</summary>
    public string Visibility { get; init; } = MessageVisibility.Private;

    /// <summary>For a public message: the post it is under and what it answers.</summary>
    public PublicPost? Post { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required DateTimeOffset RoutedAt { get; init; }
}
