namespace Routing.Contracts;

public sealed record OutboundMessageSent
{
    public required Guid CommandId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string Channel { get; init; }

    public required string ProviderMessageId { get; init; }

    /// <summary>
    /// Who wrote it: the command's <see cref="SendChannelMessage.AgentId"/>. Routing counts an agent's first sent reply as the
    /// conversation's first response; null from an adapter that predates it, or for a reply no agent wrote (an auto-reply).
    /// </summary>
    public string? AgentId { get; init; }

    public required DateTimeOffset SentAt { get; init; }
}
