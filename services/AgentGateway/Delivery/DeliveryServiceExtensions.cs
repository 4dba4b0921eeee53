using Microsoft.Extensions.DependencyInjection.Extensions;
using Routing.AgentGateway.Events;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Delivery;

internal static class DeliveryServiceExtensions
{
    /// <summary>
    /// Webhook delivery: its options, the secret box (Gateway:SecretKey), the store, the guarded HTTP client (no
    /// redirects, which could lead past the guard) and the dispatcher. Needs an NpgsqlDataSource (AddPostgres).
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Lease > o.AttemptTimeout, "Gateway:Delivery:Lease must exceed AttemptTimeout, or two replicas could attempt one delivery at once.")
            .ValidateOnStart();
        services.AddSingleton(sp => new SecretBox(sp.GetRequiredService<IConfiguration>()["Gateway:SecretKey"]
            ?? throw new InvalidOperationException("Gateway:SecretKey is not set (32 random bytes in base64)."),
            sp.GetRequiredService<IConfiguration>().GetSection("Gateway:PreviousSecretKeys").Get<string[]>()));
        services.AddHostedService<SealedSecretRotation>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<TargetStore>();
        services.AddSingleton<ThreadStore>();
        // The dispatcher starts a round when any agent gets an event; the gateway also runs the signal as a hosted service (LISTEN).
        services.TryAddSingleton<EventSignal>();
        services.AddHttpClient(WebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var config = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
                var guard = new TargetGuard(config.AllowPrivateNetworks, config.AllowHttp);
                // No proxy from HTTP(S)_PROXY: a proxy would connect on the guard's behalf, to wherever it is told.
                return new SocketsHttpHandler
                {
                    ConnectCallback = guard.ConnectAsync, AllowAutoRedirect = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                };
            });
        services.AddSingleton<IDeliverySender, WebhookSender>();
        services.AddHostedService<DeliveryDispatcher>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddHostedService<DeliveryBacklogSampler>();
        return services;
    }
}
