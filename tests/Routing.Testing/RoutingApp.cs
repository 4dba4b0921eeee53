using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Routing.Testing;

/// <summary>
/// One routing service instance, in this process, on a real database and broker. Several may run
/// at once against the same database and virtual host: separate containers, pools and buses.
/// </summary>
public sealed class RoutingApp(string connectionString, string brokerUrl, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("ConnectionStrings:Routing", connectionString);
        builder.UseSetting("RabbitMq:Url", brokerUrl);
        builder.UseSetting("Routing:SweepInterval", "00:00:00.200");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
