using MassTransit;

namespace Routing.Adapters.Outbound;

/// <summary>Each channel consumes from its own queue, "{channel}-send-channel-message"; producers send there (never publish).</summary>
public sealed class SendChannelMessageConsumerDefinition : ConsumerDefinition<SendChannelMessageConsumer>
{
    public SendChannelMessageConsumerDefinition(IChannelSender sender)
    {
        EndpointName = QueueName(sender.Channel);
        // Provider APIs rate-limit per account: a few sends at once per replica.
        ConcurrentMessageLimit = 8;
    }

    public static string QueueName(string channel) => $"{channel.ToLowerInvariant()}-send-channel-message";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SendChannelMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Not bound to the SendChannelMessage exchange: a published command would reach every channel's
        // queue. Producers send to this channel's queue.
        endpointConfigurator.ConfigureConsumeTopology = false;
    }
}
