using MassTransit;
using Routing.Addresses;
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

    /// <summary>
    /// Publishes the messages (each under its MessageId, so that retries collapse downstream) and the statuses; completes
    /// when the broker confirmed them all (publisher confirms are on).
    /// </summary>
    public Task PublishAsync(IPublishEndpoint bus, CancellationToken ct) =>
        Task.WhenAll(Messages.Select(m => bus.Publish(m, c => c.MessageId = m.MessageId, ct)).Concat(Statuses.Select(s => bus.Publish(s, ct))));

    /// <summary>
    /// The messages whose sender routing can identify (<see cref="AddressNormalizer"/>, the rule routing applies), and the
    /// others as skipped items: routing would refuse them into its error queue after the provider had heard 200.
    /// </summary>
    public WebhookContent WithoutUnroutableSenders()
    {
        var skipped = new List<SkippedItem>();
        var routable = new List<InboundMessageReceived>(Messages.Count);
        foreach (var message in Messages)
        {
            if (AddressNormalizer.TryNormalize(message.Sender.Kind, message.Sender.Value, out _, out _))
            {
                routable.Add(message);
            }
            else
            {
                // The value stays out of the reason: it is a customer's address, and reasons are logged.
                skipped.Add(new SkippedItem("sender", $"the sender's {message.Sender.Kind} address is not one routing can identify a person by"));
            }
        }
        return skipped.Count == 0 ? this : this with { Messages = routable, Skipped = [.. Skipped, .. skipped] };
    }
}
