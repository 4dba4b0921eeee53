using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
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
        // what this replica sent, so that a command delivered again is not sent twice (Outbound/RecentSends)
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<Outbound.RecentSends>();
        builder.AddRabbitMqMessaging(x => consumers?.Invoke(x));
        return builder;
    }
}
