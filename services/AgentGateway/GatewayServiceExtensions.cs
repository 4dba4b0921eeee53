using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Api;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Email;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.Slack;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway;

internal static class GatewayServiceExtensions
{
    public const string MeterName = "Routing.AgentGateway";

    public static IHostApplicationBuilder AddAgentGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AdditionalAdminTokens.All(t => t.Length >= 16), "Gateway:AdditionalAdminTokens must each be at least 16 characters, as Gateway:AdminToken.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPostgres("Gateway");
        builder.Services.AddSchemaMigrations<GatewayMigrations>(sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.MigrateOnStart);
        builder.Services.AddWebhookDelivery();
        builder.Services.AddSlack();
        builder.Services.AddAgentEmail();
        builder.Services.AddAttachments();
        builder.Services.AddSingleton<Agents.AgentTokens>();
        builder.Services.AddSingleton<Conversations.ConversationStore>();
        builder.Services.AddSingleton<Conversations.TransferOfferStore>();
        builder.Services.AddScoped<Replies.ReplySender>();
        builder.Services.AddScoped<Agents.AgentActions>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.TryAddSingleton<EventSignal>();
        builder.Services.AddSingleton<GatewayDb>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventSignal>());
        builder.Services.AddHostedService<EventHousekeeping>();
        builder.Services.AddOptions<DataRights.RetentionOptions>().BindConfiguration(DataRights.RetentionOptions.Section);
        builder.Services.AddSingleton<DataRights.RetentionSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DataRights.RetentionSweeper>());
        builder.Services.AddOptions<FollowUps.FollowUpOptions>().BindConfiguration(FollowUps.FollowUpOptions.Section);
        builder.Services.AddSingleton<FollowUps.FollowUpSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowUps.FollowUpSender>());
        builder.AddGatewayMessaging();
        builder.AddCallerRateLimits();
        builder.Services.AddGatewayOpenApi();
        return builder;
    }
}
