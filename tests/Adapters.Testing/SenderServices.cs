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
        where TSender : class, IChannelSender
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton(TimeProvider.System).AddLogging().AddMetrics();
        bindOptions(services);
        services.AddChannelSender<TSender>();
        return services.BuildServiceProvider();
    }
}
