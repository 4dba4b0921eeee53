using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Telegram.BotApi;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Telegram;

internal static class TelegramServiceExtensions
{
    public static IHostApplicationBuilder AddTelegramAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TelegramWebhook>();
        builder.Services.AddChannelHealth(Contracts.Channels.Telegram, sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.DegradedAfter);
        builder.Services.AddTransient<RetryAfterHandler>();
        builder.Services.AddChannelSender<TelegramSender>(client => client.AddHttpMessageHandler<RetryAfterHandler>());
        // the token in every Bot API URL: masked wherever a URL is logged or traced
        builder.Services.AddUrlSecret(sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.BotToken);
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        return builder;
    }

    public static WebApplication MapTelegramWebhooks(this WebApplication app)
    {
        app.MapChannelWebhook<TelegramWebhook>("/webhooks/telegram");
        return app;
    }
}
