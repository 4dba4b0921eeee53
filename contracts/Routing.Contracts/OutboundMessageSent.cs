namespace Routing.Contracts;

public sealed record OutboundMessageSent
{
    public required Guid CommandId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string Channel { get; init; }

    public required string ProviderMessageId { get; init; }

    public required DateTimeOffset SentAt { get; init; }
}
