namespace Routing.Contracts;

/// <summary>One customer message as it appears in an agent's view of a conversation.</summary>
public sealed record ConversationMessage
{
    public required Guid MessageId { get; init; }

    /// <summary>The conversation the message belongs to (set where messages of several conversations are listed).</summary>
    public Guid? ConversationId { get; init; }

    public required string Channel { get; init; }

    public required CustomerAddress Sender { get; init; }

    public string? Subject { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];

    /// <summary><see cref="MessageVisibility"/>: private or public.</summary>
    public string Visibility { get; init; } = MessageVisibility.Private;

    /// <summary>For a public message: the post it is under and what it answers.</summary>
    public PublicPost? Post { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
