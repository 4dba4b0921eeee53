namespace Routing.Contracts;

/// <summary>A customer message that now belongs to another conversation.</summary>
public sealed record MessageMove
{
    public required Guid MessageId { get; init; }

    public required Guid ConversationId { get; init; }
}
