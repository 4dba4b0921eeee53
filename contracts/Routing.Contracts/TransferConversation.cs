namespace Routing.Contracts;

/// <summary>
/// Move a conversation to another agent or to a team (agent gateway → routing; operators use routing's API). Cold: the
/// conversation leaves its agent at once. Warm: it is offered to the receiving agent first while its agent keeps it
/// (<see cref="ConversationTransferOffered"/>), and moves only when they accept. Routing answers with
/// <see cref="ConversationTransferEnded"/>; an agent's transfer is carried out only while the conversation is theirs.
/// </summary>
public sealed record TransferConversation
{
    /// <summary>Chosen by the requester; the same id again is the same transfer.</summary>
    public required Guid TransferId { get; init; }

    public required Guid ConversationId { get; init; }

    /// <summary>The agent who asks (the conversation's agent), or an operator as operator:name.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The agent to move it to; or <see cref="ToTeam"/>, never both.</summary>
    public string? ToAgentId { get; init; }

    /// <summary>The team to move it to: its members take it (the customer's preferred agents among them first).</summary>
    public string? ToTeam { get; init; }

    /// <summary>Offer it to the receiver first; the sender keeps it until they accept.</summary>
    public bool Warm { get; init; }

    /// <summary>Why, and what the next agent should know: shown to them with the conversation and kept in the receipt.</summary>
    public string? Note { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}
