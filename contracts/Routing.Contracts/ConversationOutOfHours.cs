namespace Routing.Contracts;

/// <summary>
/// A customer wrote outside business hours and nobody could take the conversation: it waits, and the customer is told
/// when to expect an answer. The agent gateway sends <see cref="AutoReply"/> on the customer's channel, once per
/// conversation; the message that started it comes along, so the reply can go out whichever event the gateway sees first.
/// </summary>
public sealed record ConversationOutOfHours
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelAccount { get; init; }

    /// <summary>The customer's message the conversation started with (or was reopened by).</summary>
    public required ConversationMessage Message { get; init; }

    public string? ProviderMessageId { get; init; }

    public string? ThreadKey { get; init; }

    /// <summary>When the hours that apply open again (null: not within two weeks).</summary>
    public DateTimeOffset? OpensAt { get; init; }

    /// <summary>The time zone of those hours (an IANA name).</summary>
    public required string TimeZone { get; init; }

    /// <summary>The text for the customer, with the expectation stated ("We open again Monday 09:00 (Europe/Rome)").</summary>
    public required string AutoReply { get; init; }

    public required DateTimeOffset At { get; init; }
}
