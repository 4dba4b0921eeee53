namespace Routing.Contracts;

/// <summary>
/// A customer's data was erased at their request (the right to erasure): routing has removed or anonymised their addresses,
/// names and messages, and every service that keeps copies (the agent gateway's conversations, messages, files, events and
/// deliveries) removes its own for <see cref="ConversationIds"/>. Carries ids only: nothing of the person.
/// </summary>
public sealed record CustomerErased
{
    public required Guid ErasureId { get; init; }

    /// <summary>The customer and any customers merged into them, whose data went with theirs.</summary>
    public required IReadOnlyList<Guid> CustomerIds { get; init; }

    public required IReadOnlyList<Guid> ConversationIds { get; init; }

    public required DateTimeOffset ErasedAt { get; init; }
}
