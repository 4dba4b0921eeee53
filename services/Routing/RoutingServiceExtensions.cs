using MassTransit;
using Routing.Agents;
using Routing.Conversations;
using Routing.Database;
using Routing.Inbound;
using Routing.Observability;
using Routing.Offers;
using Routing.Outbox;
using Routing.ServiceDefaults;
using Routing.Timers;
using Routing.Identity;

namespace Routing;

internal static class RoutingServiceExtensions
{
    public static IHostApplicationBuilder AddRoutingServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FaultOptions>().BindConfiguration(FaultOptions.Section);
        builder.AddPostgres("Routing");

        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<MigrationHostedService>(); // before the bus: consume only once the schema exists

        builder.Services.AddSingleton<RoutingMetrics>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<RoutingDb>();
        builder.Services.AddSingleton<ConversationRouter>();
        builder.Services.AddSingleton<InboundRouter>();
        builder.Services.AddSingleton<AgentService>();
        builder.Services.AddSingleton<ConversationCommands>();
        builder.Services.AddSingleton<TimerSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TimerSweeper>());
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());

        builder.AddRabbitMqMessaging(x =>
        {
            x.AddConsumer<InboundMessageReceivedConsumer, InboundMessageReceivedConsumerDefinition>();
            x.AddConsumer<AgentPresenceChangedConsumer, AgentPresenceChangedConsumerDefinition>();
            x.AddConsumer<AgentAcceptedConversationConsumer, AgentAcceptedConversationConsumerDefinition>();
            x.AddConsumer<AgentDeclinedConversationConsumer, AgentDeclinedConversationConsumerDefinition>();
            x.AddConsumer<CloseConversationConsumer, CloseConversationConsumerDefinition>();
        });
        return builder;
    }

    public static WebApplication MapRoutingApi(this WebApplication app)
    {
        app.MapAgentsApi();
        app.MapCustomersApi();
        app.MapConversationsApi();
        return app;
    }
}
