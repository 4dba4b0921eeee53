using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Routing.Adapters.Outbound;

namespace Routing.Adapters.Testing;

/// <summary>A channel's sender as the adapter registers it (typed HttpClient, real resilience pipeline), outside the web host.</summary>
public static class SenderServices
{
    /// <param name="settings">configuration, e.g. the provider API's base URL pointing at a <see cref="ProviderApiImitation"/></param>
    /// <param name="bindOptions">binds the options the sender reads</param>
    public static ServiceProvider Build<TSender>(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> bindOptions)
        where TSender : class, IChannelSender =>
        Build(settings, services =>
        {
            bindOptions(services);
            services.AddChannelSender<TSender>();
        });

    /// <param name="addSender">registers the sender the way the adapter does (for adapters whose own extension calls AddChannelSender)</param>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> addSender)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton(TimeProvider.System).AddLogging().AddMetrics()
            .AddSingleton<RecentSends>().AddSingleton<ReplyParts>();
        FileDownloads.AddFileDownloads(services);
        addSender(services);
        return services.BuildServiceProvider();
    }
}
