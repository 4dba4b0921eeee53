using MassTransit;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Messaging;
using Routing.AgentGateway.Replies;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway;

/// <summary>
/// The gateway consumes routing's and the adapters' events from one queue, "agent-gateway" (the gateway's view of a
/// conversation is serialized by its row lock, not by the queue). Transient failures are retried with growing delays;
/// an event that can never apply goes to agent-gateway_error with its reason.
/// </summary>
internal static class GatewayMessaging
{
    public static IHostApplicationBuilder AddGatewayMessaging(this IHostApplicationBuilder builder) =>
        builder.AddRabbitMqMessaging(x =>
        {
            x.AddConsumer<ConversationAssignedConsumer, GatewayConsumerDefinition<ConversationAssignedConsumer>>();
            x.AddConsumer<MessageRoutedConsumer, GatewayConsumerDefinition<MessageRoutedConsumer>>();
            x.AddConsumer<ConversationReleasedConsumer, GatewayConsumerDefinition<ConversationReleasedConsumer>>();
            x.AddConsumer<ConversationClosedConsumer, GatewayConsumerDefinition<ConversationClosedConsumer>>();
            x.AddConsumer<CustomersMergedConsumer, GatewayConsumerDefinition<CustomersMergedConsumer>>();
            x.AddConsumer<CustomersUnmergedConsumer, GatewayConsumerDefinition<CustomersUnmergedConsumer>>();
            x.AddConsumer<DataRights.CustomerErasedConsumer, GatewayConsumerDefinition<DataRights.CustomerErasedConsumer>>();
            x.AddConsumer<ConversationTransferOfferedConsumer, GatewayConsumerDefinition<ConversationTransferOfferedConsumer>>();
            x.AddConsumer<ConversationHeldConsumer, GatewayConsumerDefinition<ConversationHeldConsumer>>();
            x.AddConsumer<ConversationTransferEndedConsumer, GatewayConsumerDefinition<ConversationTransferEndedConsumer>>();
            x.AddConsumer<ConversationAutoRepliedConsumer, GatewayConsumerDefinition<ConversationAutoRepliedConsumer>>();
            x.AddConsumer<OutboundMessageSentConsumer, GatewayConsumerDefinition<OutboundMessageSentConsumer>>();
            x.AddConsumer<OutboundMessageFailedConsumer, GatewayConsumerDefinition<OutboundMessageFailedConsumer>>();
            x.AddConsumer<DeliveryStatusChangedConsumer, GatewayConsumerDefinition<DeliveryStatusChangedConsumer>>();
        });
}
