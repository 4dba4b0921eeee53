using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Routing.Adapters.Outbound;

public static class OutboundServiceExtensions
{
    /// <summary>
    /// The channel's sender as a typed HttpClient with a declared resilience pipeline: total timeout,
    /// retry with jitter honouring Retry-After, circuit breaker, per-attempt timeout.
    /// </summary>
    public static IServiceCollection AddChannelSender<TSender>(this IServiceCollection services)
        where TSender : class, IChannelSender
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<TSender>()
            .AddResilienceHandler("provider", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<OutboundOptions>>().Value;
                pipeline.AddTimeout(options.TotalTimeout);
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                    ShouldHandle = options.MaxRetries == 0 ? _ => PredicateResult.False() : new HttpRetryStrategyOptions().ShouldHandle,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    ShouldRetryAfterHeader = true,
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(15),
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        services.AddTransient<IChannelSender>(sp => sp.GetRequiredService<TSender>());
        return services;
    }

    public static void AddChannelSenderConsumer(this IBusRegistrationConfigurator x) =>
        x.AddConsumer<SendChannelMessageConsumer, SendChannelMessageConsumerDefinition>();
}
