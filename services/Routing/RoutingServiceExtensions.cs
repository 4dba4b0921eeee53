using Routing.Transfers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Routing.Access;
using Routing.Agents;
using Routing.Conversations;
using Routing.Database;
using Routing.DataRights;
using Routing.Inbound;
using Routing.Observability;
using Routing.Assignment;
using Routing.Messaging;
using Routing.Outbox;
using Routing.Retention;
using Routing.ServiceDefaults;
using Routing.Timers;
using Routing.Identity;
using Routing.ServiceLevels;
using Routing.Simulation;
using Routing.Supervision;

namespace Routing;

internal static class RoutingServiceExtensions
{
    public static IHostApplicationBuilder AddRoutingServices(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres("Routing");
        builder.Services.AddOptions<OperatorAccessOptions>().BindConfiguration(OperatorAccessOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OperatorAccessOptions>, OperatorAccessValidation>();
        builder.Services.AddSingleton<OperatorTokens>();
        builder.Services.AddSingleton<WhatIfGate>();
        builder.Services.AddAuthentication(OperatorTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OperatorTokenHandler>(OperatorTokenHandler.SchemeName, null);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, OperatorScopeRequirement>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(OperatorScopeRequirement.Policy, p => p
            .AddAuthenticationSchemes(OperatorTokenHandler.SchemeName).RequireAuthenticatedUser().AddRequirements(new OperatorScopeRequirement()));
        builder.AddCallerRateLimits();
        builder.AddSupervisorConsole();
        builder.Services.AddRoutingCore();
        // The API's description, from the endpoints themselves (contracts/openapi/routing.json is its committed copy).
        // a token of scope Read is refused (403) where it would change something
        builder.Services.AddOpenApi(OpenApiDocument, o => o.Describe("Routing: operators' API",
            "Agents, customers, conversations and service levels. Every route takes an operator token (Routing:Api:Tokens) as "
            + "`Authorization: Bearer <token>`; a token of scope Read only reads. Errors are application/problem+json.",
            forbidden: true));
        builder.AddRabbitMqMessaging(x => x.AddRoutingConsumers());
        return builder;
    }

    /// <summary>Routing's logic and background services, without a transport: the test harness adds its own.</summary>
    public static IServiceCollection AddRoutingCore(this IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section).ValidateDataAnnotations()
            .Validate(o => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(o.Inbound, new(o.Inbound), null, validateAllProperties: true),
                "Routing:Inbound: MaxBatch must be 1-1000, Workers 1-64, ConcurrentMessageLimit 1-10000")
            .Validate(o => o.Public.Priority is >= 0 and <= 100 && o.Public.HoldWait >= TimeSpan.Zero,
                "Routing:Public: Priority must be 0-100 and HoldWait not negative")
            .Validate(o => o.Overflow.All(r => r.Value.After > TimeSpan.Zero
                                                 && (r.Value.ToTeam is not null || !string.IsNullOrWhiteSpace(r.Value.AutoReply))
                                                 && (r.Value.ToTeam is null || Problems.IsValidId(r.Value.ToTeam)
                                                     && !string.Equals(r.Key, r.Value.ToTeam, StringComparison.OrdinalIgnoreCase))
                                                 && (r.Value.AutoReply is null || !string.IsNullOrWhiteSpace(r.Value.AutoReply))),
                "Routing:Overflow:<team>: After must be positive, with ToTeam (another team's name), AutoReply (a text) or both")
            .Validate(o => o.BusinessHours.ToJson() is not { } hours || Policy.WorkingHours.TryParse(hours, out _, out _),
                "Routing:BusinessHours: TimeZone must be an IANA zone (Europe/Rome), Weekly ranges such as 09:00-17:30 by day name, Holidays dates such as 2026-12-25")
            .Validate(o => o.Requirements.SkillRules.All(r => Problems.IsValidId(r.Skill) && (r.Team is null || Problems.IsValidId(r.Team))
                                                                && r.Keywords.All(k => !string.IsNullOrWhiteSpace(k))),
                "Routing:Requirements:SkillRules: every rule needs a Skill (an id: letters, digits, '.', '_', '@' or '-') and no empty keyword")
            .ValidateOnStart();
        services.AddOptions<FaultOptions>().BindConfiguration(FaultOptions.Section);
        services.TryAddSingleton(TimeProvider.System);

        // before the bus: consume only once the schema exists
        services.AddSchemaMigrations<MigrationRunner>(sp => sp.GetRequiredService<IOptions<RoutingOptions>>().Value.MigrateOnStart);

        services.AddSingleton<RoutingMetrics>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<RoutingDb>();
        services.AddSingleton<DecisionWriter>();
        services.AddSingleton<AgentChooser>();
        services.AddSingleton<ConversationLifecycle>();
        services.AddSingleton<CustomerMerger>();
        services.AddSingleton<InboundRouter>();
        services.AddSingleton<InboundBatcher>();
        services.AddSingleton<AgentService>();
        services.AddSingleton<ConversationCommands>();
        services.AddSingleton<TransferMoves>();
        services.AddSingleton<ConversationTransfers>();
        services.AddSingleton<AgentReplies>();
        services.AddSingleton<TimerSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerSweeper>());
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section);
        services.AddOptions<DataRightsOptions>().BindConfiguration(DataRightsOptions.Section);
        services.AddHttpClient<GatewayExportClient>(c => c.Timeout = TimeSpan.FromSeconds(60));
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddHostedService<OutboxBacklogSampler>();
        return services;
    }

    public static void AddRoutingConsumers(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<InboundMessageReceivedConsumer, InboundMessageReceivedConsumerDefinition>();
        x.AddConsumer<AgentPresenceChangedConsumer, RoutingConsumerDefinition<AgentPresenceChangedConsumer>>();
        x.AddConsumer<AgentAcceptedConversationConsumer, RoutingConsumerDefinition<AgentAcceptedConversationConsumer>>();
        x.AddConsumer<AgentDeclinedConversationConsumer, RoutingConsumerDefinition<AgentDeclinedConversationConsumer>>();
        x.AddConsumer<CloseConversationConsumer, RoutingConsumerDefinition<CloseConversationConsumer>>();
        x.AddConsumer<TransferConversationConsumer, RoutingConsumerDefinition<TransferConversationConsumer>>();
        x.AddConsumer<AgentAnsweredTransferConsumer, RoutingConsumerDefinition<AgentAnsweredTransferConsumer>>();
        x.AddConsumer<ReplySentConsumer, RoutingConsumerDefinition<ReplySentConsumer>>();
        x.AddConsumer<CustomerProfileObservedConsumer, RoutingConsumerDefinition<CustomerProfileObservedConsumer>>();
        x.AddConsumer<CustomerAddressLinkedConsumer, RoutingConsumerDefinition<CustomerAddressLinkedConsumer>>();
        x.AddConsumer<FollowUps.FollowUpSentConsumer, RoutingConsumerDefinition<FollowUps.FollowUpSentConsumer>>();
        x.AddConsumer<AnnotateCustomerConsumer, RoutingConsumerDefinition<AnnotateCustomerConsumer>>();
    }

    /// <summary>The name of the API's OpenAPI document (/openapi/routing.json).</summary>
    public const string OpenApiDocument = "routing";

    /// <summary>The operators' API, every route behind an operator token (Routing:Api:Tokens); the health endpoints stay open.</summary>
    public static WebApplication MapRoutingApi(this WebApplication app)
    {
        var tokens = app.Services.GetRequiredService<IOptions<OperatorAccessOptions>>().Value.Tokens;
        if (tokens.Count == 0)
        {
            app.Logger.LogWarning("No operator tokens are configured (Routing:Api:Tokens): routing's API refuses every request");
        }
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        var api = app.MapGroup("").RequireAuthorization(OperatorScopeRequirement.Policy).RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();
        api.MapAgentsApi();
        api.MapTeamsApi();
        api.MapCustomersApi();
        api.MapDataRightsApi();
        api.MapConversationsApi();
        api.MapTransfersApi();
        api.MapServiceLevelsApi();
        api.MapWhatIfApi();
        // GET /openapi/routing.json, behind a token like every other route
        api.MapOpenApi("/openapi/{documentName}.json");
        app.MapSupervisorConsole();
        return app;
    }
}
