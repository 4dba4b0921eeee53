using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters;

public static class AdapterServiceExtensions
{
    /// <summary>The kit's services: webhook options and metrics, and the bus (with the adapter's consumers).</summary>
    public static IHostApplicationBuilder AddAdapterKit(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<SendMetrics>();
        // deliveries the broker did not confirm, on disk until it does (channels whose provider does not retry)
        builder.Services.AddSingleton<WebhookSpool>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSpool>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("webhook-spool", sp => sp.GetRequiredService<WebhookSpool>(),
            failureStatus: null, tags: [ServiceDefaultsExtensions.ReadyTag]));
        // what this replica sent, so that a command delivered again is not sent twice (Outbound/RecentSends)
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<Outbound.RecentSends>();
        // replies with files: sent one message per file where the channel wants it, fetched from the gateway where it takes bytes
        builder.Services.TryAddSingleton<Outbound.ReplyParts>();
        Outbound.FileDownloads.AddFileDownloads(builder.Services);
        builder.AddRabbitMqMessaging(x => consumers?.Invoke(x));
        return builder;
    }

    /// <summary>
    /// Spools this channel's deliveries the broker does not confirm, for providers that do not retry a failed webhook:
    /// in Webhooks:Spool:Directory, by default /var/spool/routing/{channel} (a volume); set it empty to answer 503 instead.
    /// With a spool, the adapter stays ready while the broker is away (the bus's health check says Degraded): it can
    /// still take deliveries, and a pod taken out of its Service would leave the provider nobody to hand them to.
    /// </summary>
    public static IHostApplicationBuilder SpoolWebhooks(this IHostApplicationBuilder builder, string channel)
    {
        builder.Services.PostConfigure<WebhookOptions>(o => o.Spool.Directory ??= Path.Combine(WebhookSpool.DefaultRoot, channel));
        builder.Services.AddOptions<MassTransitHealthCheckOptions<IBus>>().PostConfigure<IOptions<WebhookOptions>>((health, webhooks) =>
        {
            if (!string.IsNullOrEmpty(webhooks.Value.Spool.Directory))
            {
                health.MinimalFailureStatus = HealthStatus.Degraded;
            }
        });
        return builder;
    }
}
