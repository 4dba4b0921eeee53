using Routing.Adapters.Outbound;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Sms;

internal static class SmsServiceExtensions
{
    public static IHostApplicationBuilder AddSmsAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TwilioSmsWebhook>();
        builder.Services.AddChannelSender<TwilioSender>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        // Twilio never retries a webhook that failed: what the broker cannot take now waits on disk.
        builder.SpoolWebhooks(Contracts.Channels.Sms);
        return builder;
    }

    public static WebApplication MapSmsWebhooks(this WebApplication app)
    {
        app.MapChannelWebhook<TwilioSmsWebhook>("/webhooks/sms/twilio");
        return app;
    }
}
