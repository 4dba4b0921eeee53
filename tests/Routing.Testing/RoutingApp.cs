using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Routing.Testing;

/// <summary>
/// One routing service instance, in this process, on a real database and broker. Several may run
/// at once against the same database and virtual host: separate containers, pools and buses. Its clients carry
/// <see cref="AdminToken"/>; <see cref="ReadToken"/> is configured too, with the read scope.
/// </summary>
public sealed class RoutingApp(string connectionString, string brokerUrl, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-routing-admin-token-0123456789";
    public const string ReadToken = "test-routing-read-token-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("Routing:Api:Tokens:tests:Token", AdminToken);
        builder.UseSetting("Routing:Api:Tokens:tests:Scope", "Admin");
        builder.UseSetting("Routing:Api:Tokens:viewer:Token", ReadToken);
        builder.UseSetting("Routing:Api:Tokens:viewer:Scope", "Read");
        builder.UseSetting("ConnectionStrings:Routing", connectionString);
        builder.UseSetting("RabbitMq:Url", brokerUrl);
        builder.UseSetting("Routing:SweepInterval", "00:00:00.200");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }
}
