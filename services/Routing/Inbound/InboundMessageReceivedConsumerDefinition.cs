using MassTransit;

namespace Routing.Inbound;

internal sealed class InboundMessageReceivedConsumerDefinition : ConsumerDefinition<InboundMessageReceivedConsumer>
{
    public InboundMessageReceivedConsumerDefinition()
    {
        // Each message is one short PostgreSQL transaction; this many run at once per replica.
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<InboundMessageReceivedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(RetryPolicies.Transient);
    }
}
