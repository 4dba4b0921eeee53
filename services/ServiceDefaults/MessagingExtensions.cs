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
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(20);
        });
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var uri = new Uri(options.Url);
                var userInfo = uri.UserInfo.Split(':', 2);
                var vhost = uri.AbsolutePath.Trim('/');
                cfg.Host(uri.Host, uri.IsDefaultPort ? (ushort)5672 : (ushort)uri.Port, vhost.Length == 0 ? "/" : Uri.UnescapeDataString(vhost), h =>
                {
                    if (userInfo[0].Length > 0)
                    {
                        h.Username(Uri.UnescapeDataString(userInfo[0]));
                        h.Password(userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "");
                    }
                    h.PublisherConfirmation = true;
                });
                cfg.PrefetchCount = options.PrefetchCount;
                if (options.QuorumQueues)
                {
                    cfg.SetQuorumQueue();
                    cfg.SetQueueArgument("x-delivery-limit", options.DeliveryLimit);
                }
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
