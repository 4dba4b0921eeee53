namespace Routing.Contracts;

public sealed record DeliveryStatusChanged
{
    public required string Channel { get; init; }

    public string? ChannelAccount { get; init; }

    /// <summary>The message this status is about; null when it covers every message up to <see cref="UpTo"/>.</summary>
    public string? ProviderMessageId { get; init; }

    /// <summary>
    /// The reply's command id, when the provider echoes one the adapter gave it (Twilio's status callback URL carries it):
    /// it settles a send whose outcome was unknown, since no provider id was ever learnt for it.
    /// </summary>
    public Guid? CommandId { get; init; }

    /// <summary>The customer the message went to, when the provider says (Messenger does; a watermark status needs it).</summary>
    public CustomerAddress? Recipient { get; init; }

    /// <summary>
    /// A watermark: the status holds for every message sent to <see cref="Recipient"/> on the channel
    /// account up to this time (Messenger reports reads, and some deliveries, only this way).
    /// </summary>
    public DateTimeOffset? UpTo { get; init; }

    /// <summary>sent, delivered, read or failed.</summary>
    public required string Status { get; init; }

    public string? ErrorCode { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
