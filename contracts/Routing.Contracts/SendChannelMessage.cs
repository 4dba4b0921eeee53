namespace Routing.Contracts;

/// <summary>An agent's reply, to be sent to the customer by the channel's adapter.</summary>
public sealed record SendChannelMessage
{
    /// <summary>Idempotency key: the adapter sends a command id once.</summary>
    public required Guid CommandId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string AgentId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelAccount { get; init; }

    public required CustomerAddress To { get; init; }

    public string? ThreadKey { get; init; }

    public string? Subject { get; init; }

    public required string Text { get; init; }

    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];

    public string? ReplyToProviderMessageId { get; init; }

    /// <summary>
    /// <see cref="MessageVisibility"/>. Public: posted for everyone, as a reply under <see cref="ReplyToProviderMessageId"/>
    /// (X: a post in reply; Facebook and Instagram: a comment reply). Private (the default): a direct message.
    /// </summary>
    public string Visibility { get; init; } = MessageVisibility.Private;

    /// <summary>
    /// For a private message answering a public one: that post or comment. Facebook and Instagram send it as a private reply
    /// (one per comment, within 7 days), which opens a direct conversation with its author; X sends a direct message.
    /// </summary>
    public string? PrivateReplyTo { get; init; }

    /// <summary>
    /// When the customer last wrote on this channel account, when the sender knows. Channels with a
    /// customer-service window (WhatsApp, Messenger: 24 hours) use it to send a template or a tag instead
    /// of a message the provider would refuse; without it the adapter learns the window from the provider.
    /// </summary>
    public DateTimeOffset? CustomerLastMessageAt { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}
