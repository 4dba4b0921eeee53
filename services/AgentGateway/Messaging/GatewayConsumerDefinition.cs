using MassTransit;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Messaging;

/// <summary>
/// Every gateway consumer reads the one queue "agent-gateway" (the gateway's view of a conversation is serialized by its
/// row lock, not by the queue), with the platform's retry: outages waited out, contention retried, and an event the
/// gateway can never apply going to agent-gateway_error at once with its reason.
/// </summary>
internal sealed class GatewayConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    public GatewayConsumerDefinition() => EndpointName = GatewayQueue.Name;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.UseMessageRetry(MessageRetry.Outage);
        consumerConfigurator.UseMessageRetry(MessageRetry.Transient<InvalidEventException>);
    }
}

internal static class GatewayQueue
{
    public const string Name = "agent-gateway";
}
