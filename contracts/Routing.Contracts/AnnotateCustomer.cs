namespace Routing.Contracts;

/// <summary>
/// An agent writes down what they learnt about the customer of one of their conversations, for whoever serves the customer
/// next (agent gateway → routing): a note, tags to add or remove, and the customer's name where the channel gave none. Routing keeps them with the customer (not the
/// conversation), and every later assignment of the customer carries them (<see cref="ConversationAssigned.CustomerNotes"/>).
/// Carried out only when the conversation is or was the agent's.
/// </summary>
public sealed record AnnotateCustomer
{
    /// <summary>Chosen by the sender; the same id again is the same annotation (the note's id).</summary>
    public required Guid AnnotationId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string AgentId { get; init; }

    /// <summary>The note's text (at most 2000 characters); none for a change of tags only.</summary>
    public string? Note { get; init; }

    /// <summary>Tags to add: lower-case words (letters, digits, - and _), at most 40 characters each.</summary>
    public IReadOnlyList<string> AddTags { get; init; } = [];

    public IReadOnlyList<string> RemoveTags { get; init; } = [];

    /// <summary>The customer's name as the agent learnt it (a channel that gives none, such as SMS); it replaces the name the customer is shown by.</summary>
    public string? CustomerName { get; init; }

    public required DateTimeOffset At { get; init; }
}

/// <summary>A note on a customer: who wrote it (an agent's id, or operator:name), when, and in which conversation.</summary>
public sealed record CustomerNote
{
    public required Guid NoteId { get; init; }

    public required string Text { get; init; }

    public required string Author { get; init; }

    public Guid? ConversationId { get; init; }

    public required DateTimeOffset WrittenAt { get; init; }
}
