using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Routing.ServiceDefaults;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ with kebab-case endpoints from each consumer's definition, publisher
    /// confirms, and quorum queues with an explicit delivery limit where configured.
    /// </summary>
    public static IHostApplicationBuilder AddRabbitMqMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<BusWatchdogOptions>().BindConfiguration(BusWatchdogOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Limit > o.Interval, "RabbitMq:Watchdog:Limit must be longer than its Interval.")
            .ValidateOnStart();
        builder.Services.AddSingleton(new BusProbeEndpoint(builder.Environment.ApplicationName));
        builder.Services.AddSingleton<ProbeLedger>();
        builder.Services.AddHostedService<BusWatchdog>();
        builder.Services.AddHealthChecks().AddCheck<BusWatchdogHealthCheck>("bus-watchdog", tags: [ServiceDefaultsExtensions.LiveTag]);

        // The bus must finish stopping (in-flight consumers complete) inside the host's shutdown window.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IOptions<ShutdownOptions>>((o, shutdown) =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = shutdown.Value.BusStopTimeout;
        });
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // A self-hosted system does not report to a third party (and has no internet to do it with).
            x.DisableUsageTelemetry();
            // Quorum queues are a per-queue declaration: every endpoint ConfigureEndpoints creates gets it.
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                if (options.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit && !name.StartsWith(BusProbeEndpoint.Prefix, StringComparison.Ordinal))
                {
                    rabbit.SetQuorumQueue();
                    rabbit.SetQueueArgument("x-delivery-limit", options.DeliveryLimit);
                }
            });
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var uri = new Uri(options.Url);
                var vhost = uri.AbsolutePath.Trim('/');
                cfg.Host(uri.Host, uri.IsDefaultPort ? (ushort)5672 : (ushort)uri.Port, vhost.Length == 0 ? "/" : Uri.UnescapeDataString(vhost), h =>
                {
                    if (options.Credentials() is var (username, password))
                    {
                        h.Username(username);
                        h.Password(password);
                    }
                    h.PublisherConfirmation = true;
                });
                cfg.PrefetchCount = options.PrefetchCount;
                cfg.ConfigureEndpoints(context);
                ConfigureProbeEndpoint(cfg, context);
            });
        });
        return builder;
    }

    /// <summary>
    /// This process's own probe queue (<see cref="BusWatchdog"/>): classic, non-durable and auto-delete, on the same
    /// connection as the other receive endpoints, bound to no message type's exchange; probes are sent to it, never
    /// published. Production's broker policy "bus-probes" gives it no dead-letter exchange and removes one left unused.
    /// </summary>
    private static void ConfigureProbeEndpoint(IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context)
    {
        var probe = context.GetRequiredService<BusProbeEndpoint>();
        var ledger = context.GetRequiredService<ProbeLedger>();
        cfg.ReceiveEndpoint(probe.Name, e =>
        {
            e.Durable = false;
            e.AutoDelete = true;
            // classic whatever the virtual host's default queue type (quorum in production): quorum queues are durable
            e.SetQueueArgument("x-queue-type", "classic");
            e.ConfigureConsumeTopology = false;
            e.PrefetchCount = 4;
            e.Handler<BusProbe>(c =>
            {
                ledger.Consumed(c.Message.Sequence);
                return Task.CompletedTask;
            });
            probe.Address = e.InputAddress;
        });
    }
}
