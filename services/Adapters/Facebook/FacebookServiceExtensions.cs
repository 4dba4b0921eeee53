using Microsoft.Extensions.Options;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Adapters.Profiles;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Facebook;

internal static class FacebookServiceExtensions
{
    public static IHostApplicationBuilder AddFacebookAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessengerOptions>().BindConfiguration(MessengerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MessengerWebhook>();
        builder.Services.AddChannelSender<MessengerSender>();
        builder.Services.AddProfileSource<MessengerProfiles>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        return builder;
    }

    public static WebApplication MapFacebookWebhooks(this WebApplication app)
    {
        app.MapMetaVerification("/webhooks/facebook", sp => sp.GetRequiredService<IOptions<MessengerOptions>>().Value.VerifyToken);
        app.MapChannelWebhook<MessengerWebhook>("/webhooks/facebook");
        return app;
    }
}
