using Routing.Contracts;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// What one webhook delivery carried, normalized: customer messages and delivery statuses (a provider may batch both),
/// and the items of a batch left out as malformed.
/// </summary>
public sealed record WebhookContent(IReadOnlyList<InboundMessageReceived> Messages, IReadOnlyList<DeliveryStatusChanged> Statuses)
{
    public static readonly WebhookContent Empty = new([], []);

    public IReadOnlyList<SkippedItem> Skipped { get; init; } = [];
}
