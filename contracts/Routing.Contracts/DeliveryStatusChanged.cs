namespace Routing.Contracts;

public sealed record DeliveryStatusChanged
{
    public required string Channel { get; init; }

    public string? ChannelAccount { get; init; }

    public required string ProviderMessageId { get; init; }

    /// <summary>sent, delivered, read or failed.</summary>
    public required string Status { get; init; }

    public string? ErrorCode { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
