using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Profiles;

public static class ProfileServiceExtensions
{
    /// <summary>
    /// Looks up the channel's senders with <typeparamref name="TSource"/>, a typed HttpClient whose pipeline retries what
    /// a lookup may safely retry (it changes nothing): 429 and 5xx honouring Retry-After, timeouts and lost connections,
    /// with a circuit breaker; <paramref name="perAttempt"/> handlers run inside it, once per attempt.
    /// </summary>
    public static IServiceCollection AddProfileSource<TSource>(this IServiceCollection services, Action<IHttpClientBuilder>? perAttempt = null)
        where TSource : class, IProfileSource
    {
        services.AddOptions<ProfileOptions>().BindConfiguration(ProfileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var client = services.AddHttpClient<TSource>();
        client.AddResilienceHandler("profile", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<ProfileOptions>>().Value;
            ProviderResilience.AddProviderPipeline(pipeline, TimeSpan.FromSeconds(60), options.MaxRetries, options.RetryBaseDelay,
                HttpClientResiliencePredicates.IsTransient, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
        });
        perAttempt?.Invoke(client);
        services.AddTransient<IProfileSource>(sp => sp.GetRequiredService<TSource>());
        services.TryAddSingleton<ProfileMetrics>();
        if (!services.Any(s => s.ServiceType == typeof(ProfileRefresher)))
        {
            services.AddSingleton<ProfileRefresher>();
            services.AddSingleton<IWebhookObserver>(sp => sp.GetRequiredService<ProfileRefresher>());
            services.AddHostedService(sp => sp.GetRequiredService<ProfileRefresher>());
        }
        return services;
    }
}
