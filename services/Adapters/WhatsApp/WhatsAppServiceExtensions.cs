using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Adapters.WhatsApp.Cloud;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.WhatsApp;

internal static class WhatsAppServiceExtensions
{
    public static IHostApplicationBuilder AddWhatsAppAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WhatsAppOptions>().BindConfiguration(WhatsAppOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WhatsAppWebhook>();
        builder.Services.AddChannelSender<WhatsAppSender>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        return builder;
    }

    public static WebApplication MapWhatsAppWebhooks(this WebApplication app)
    {
        app.MapMetaVerification("/webhooks/whatsapp", sp => sp.GetRequiredService<IOptions<WhatsAppOptions>>().Value.VerifyToken);
        app.MapChannelWebhook<WhatsAppWebhook>("/webhooks/whatsapp");
        return app;
    }
}
