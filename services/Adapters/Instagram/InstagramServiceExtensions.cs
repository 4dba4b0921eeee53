using Microsoft.Extensions.Options;
using Routing.Adapters.Instagram.Direct;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Adapters.Profiles;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Instagram;

internal static class InstagramServiceExtensions
{
    public static IHostApplicationBuilder AddInstagramAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InstagramOptions>().BindConfiguration(InstagramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InstagramWebhook>();
        builder.Services.AddChannelSender<InstagramSender>();
        builder.Services.AddProfileSource<InstagramProfiles>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        return builder;
    }

    public static WebApplication MapInstagramWebhooks(this WebApplication app)
    {
        app.MapMetaVerification("/webhooks/instagram", sp => sp.GetRequiredService<IOptions<InstagramOptions>>().Value.VerifyToken);
        app.MapChannelWebhook<InstagramWebhook>("/webhooks/instagram");
        return app;
    }
}
