namespace Routing.AgentGateway.Delivery;

/// <summary>
/// What one attempt at a delivery came to: delivered; tried again later (after at least <see cref="Retry.After"/>
/// when the tool asked for it, as a 429's Retry-After); or the target is gone or refused and is disabled.
/// </summary>
internal abstract record DeliveryOutcome(int? Status)
{
    public sealed record Delivered(int? Status) : DeliveryOutcome(Status);

    public sealed record Retry(int? Status, string Error, TimeSpan? After = null) : DeliveryOutcome(Status);

    public sealed record Disable(int? Status, string Reason) : DeliveryOutcome(Status);
}

/// <summary>Sends a delivery into one kind of agents' tool (a webhook receiver, Slack, a mailbox).</summary>
internal interface IDeliverySender
{
    string Kind { get; }

    Task<DeliveryOutcome> SendAsync(ClaimedDelivery delivery, CancellationToken ct);
}
