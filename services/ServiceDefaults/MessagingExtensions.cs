using MassTransit;
using Microsoft.Extensions.Configuration;
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
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                if (options.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
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
            });
        });
        return builder;
    }
}
