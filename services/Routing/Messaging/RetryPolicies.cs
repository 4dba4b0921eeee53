using MassTransit;
using Routing.ServiceDefaults;

namespace Routing.Messaging;

internal static class RetryPolicies
{
    /// <summary>
    /// The platform's retries (ServiceDefaults.MessageRetry): a database outage waited out however long it lasts,
    /// contention retried a few times, routing's invalid message to _error at once.
    /// </summary>
    public static void UseRoutingRetry(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseMessageRetry(MessageRetry.Outage);
        endpoint.UseMessageRetry(MessageRetry.Transient<InvalidMessageException>);
    }
}

/// <summary>Every routing consumer's endpoint: its own queue, named by MassTransit after the consumer, with routing's retries.</summary>
internal sealed class RoutingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseRoutingRetry();
}
