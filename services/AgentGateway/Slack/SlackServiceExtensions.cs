using Routing.AgentGateway.Delivery;

namespace Routing.AgentGateway.Slack;

internal static class SlackServiceExtensions
{
    /// <summary>Slack delivery and Slack's requests (Gateway:Slack); Slack targets wait, and are listed as failing, until a bot token is set.</summary>
    public static IServiceCollection AddSlack(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>().BindConfiguration(SlackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(SlackApi.ClientName);
        services.AddHttpClient(SlackApi.DownloadClient, c => c.Timeout = TimeSpan.FromMinutes(2))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<SlackApi>();
        services.AddSingleton<IDeliverySender, SlackSender>();
        return services;
    }
}
