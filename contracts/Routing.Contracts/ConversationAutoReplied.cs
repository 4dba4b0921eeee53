namespace Routing.Contracts;

/// <summary>
/// Routing answers a waiting customer itself (<see cref="AutoReplyReasons"/>): they wrote out of hours and nobody could take
/// the conversation, or it waited past its queue time limit. The agent gateway sends <see cref="Text"/> on the customer's
/// channel, once per <see cref="AutoReplyId"/>; the customer's message it answers comes along, so the reply can go out
/// whichever event the gateway sees first.
/// </summary>
public sealed record ConversationAutoReplied
{
    /// <summary>This auto-reply (the receipt's decision id): the gateway sends each once.</summary>
    public required Guid AutoReplyId { get; init; }

    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    /// <summary>Why: out-of-hours or queue-overflow (<see cref="AutoReplyReasons"/>).</summary>
    public required string Reason { get; init; }

    public required string Channel { get; init; }

    public required string ChannelAccount { get; init; }

    /// <summary>The customer's message it answers: the one the conversation started with (or was reopened by), or their latest.</summary>
    public required ConversationMessage Message { get; init; }

    public string? ProviderMessageId { get; init; }

    public string? ThreadKey { get; init; }

    /// <summary>Out of hours: when the hours that apply open again (null: not within two weeks).</summary>
    public DateTimeOffset? OpensAt { get; init; }

    /// <summary>Out of hours: the time zone of those hours (an IANA name).</summary>
    public string? TimeZone { get; init; }

    /// <summary>The text for the customer, with the expectation stated ("We open again Monday 09:00 (Europe/Rome)").</summary>
    public required string Text { get; init; }

    public required DateTimeOffset At { get; init; }
}
