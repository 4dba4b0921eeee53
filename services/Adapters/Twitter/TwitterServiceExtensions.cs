using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Profiles;
using Routing.Adapters.Twitter.AccountActivity;
using Routing.Adapters.Twitter.Users;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Twitter;

internal static class TwitterServiceExtensions
{
    public static IHostApplicationBuilder AddTwitterAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTwitterSending();
        builder.Services.AddSingleton<AccountActivityWebhook>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        // X retries a failed webhook three times in five minutes, on its enterprise tier only, and waits 3 s for an answer.
        builder.SpoolWebhooks(Contracts.Channels.Twitter);
        return builder;
    }

    /// <summary>The options, the channel's health, and the DM sender and users lookup with their per-attempt OAuth signing and rate-limit reading.</summary>
    public static IServiceCollection AddTwitterSending(this IServiceCollection services)
    {
        services.AddOptions<TwitterOptions>().BindConfiguration(TwitterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddChannelHealth(Channels.Twitter, sp => sp.GetRequiredService<IOptions<TwitterOptions>>().Value.DegradedAfter);
        services.AddTransient<OAuth1SigningHandler>().AddTransient<RateLimitResetHandler>();
        services.AddChannelSender<XSender>(client => client
            .AddHttpMessageHandler<RateLimitResetHandler>()
            .AddHttpMessageHandler<OAuth1SigningHandler>());
        services.AddProfileSource<UsersLookup>(client => client
            .AddHttpMessageHandler<RateLimitResetHandler>()
            .AddHttpMessageHandler<OAuth1SigningHandler>());
        return services;
    }

    public static WebApplication MapTwitterWebhooks(this WebApplication app)
    {
        app.MapTwitterCrc("/webhooks/twitter");
        app.MapChannelWebhook<AccountActivityWebhook>("/webhooks/twitter");
        return app;
    }
}
