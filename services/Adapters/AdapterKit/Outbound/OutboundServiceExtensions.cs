using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Routing.Adapters.Outbound;

public static class OutboundServiceExtensions
{
    /// <summary>
    /// The channel's sender as a typed HttpClient with a declared resilience pipeline: total timeout,
    /// retry with jitter honouring Retry-After (only of what surely sent nothing: <see cref="ProviderResilience"/>),
    /// circuit breaker, per-attempt timeout.
    /// </summary>
    /// <param name="perAttempt">
    /// handlers that run inside the pipeline, once per attempt (e.g. signing each attempt afresh, or reading a
    /// provider's own rate-limit headers into Retry-After before the retry looks at the response)
    /// </param>
    public static IServiceCollection AddChannelSender<TSender>(this IServiceCollection services, Action<IHttpClientBuilder>? perAttempt = null)
        where TSender : class, IChannelSender
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var client = services.AddHttpClient<TSender>();
        client.AddResilienceHandler("provider", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<OutboundOptions>>().Value;
                var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
                ProviderResilience.AddProviderPipeline(pipeline, options.TotalTimeout, options.MaxRetries, options.RetryBaseDelay,
                    outcome => ProviderResilience.ShouldRetry(outcome, options.TotalTimeout, time.GetUtcNow()), TimeSpan.FromSeconds(15), options.AttemptTimeout);
            });
        perAttempt?.Invoke(client);
        services.AddTransient<IChannelSender>(sp => sp.GetRequiredService<TSender>());
        return services;
    }

    public static void AddChannelSenderConsumer(this IBusRegistrationConfigurator x) =>
        x.AddConsumer<SendChannelMessageConsumer, SendChannelMessageConsumerDefinition>();
}
