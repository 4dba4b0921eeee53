using Routing.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Routing.Inbound;

internal sealed class InboundMessageReceivedConsumerDefinition : ConsumerDefinition<InboundMessageReceivedConsumer>
{
    private readonly int _concurrentMessageLimit;

    public InboundMessageReceivedConsumerDefinition(IOptions<RoutingOptions> options)
    {
        // Messages consumed at once are routed together in batches (InboundBatcher); this many are in hand per replica.
        _concurrentMessageLimit = options.Value.Inbound.ConcurrentMessageLimit;
        ConcurrentMessageLimit = _concurrentMessageLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<InboundMessageReceivedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseRoutingRetry();
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // The broker must hand over at least as many messages as may be in hand, or batches stay small.
            rabbit.PrefetchCount = Math.Max(rabbit.PrefetchCount, _concurrentMessageLimit);
        }
    }
}
