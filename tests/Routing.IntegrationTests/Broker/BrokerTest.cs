using Routing.Testing;
using System.Net.Http.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>The routing service as it runs: in-process hosts on a real database and a real RabbitMQ virtual host.</summary>
public abstract class BrokerTest : InfrastructureTest
{
    protected RoutingApp App { get; set; } = null!;
    protected HttpClient Api { get; set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = StartApp();
        Api = App.CreateClient();
        await WaitReadyAsync(Api);
    }

    protected RoutingApp StartApp(IReadOnlyDictionary<string, string?>? settings = null) =>
        new(Database.ConnectionString, Broker.Url, settings);

    protected static async Task WaitReadyAsync(HttpClient client)
    {
        await Eventually.TrueAsync("routing's /health/ready", async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode);
    }

    protected async Task CreateAgentAsync(string id, int capacity, string[] channels, string presence = "available")
    {
        var response = await Api.PostAsJsonAsync("/agents", new { id, name = id, capacity, channels, presence });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Waits for <paramref name="count"/> messages in an error queue, and takes them out of it.</summary>
    protected async Task<IReadOnlyList<(string Body, IReadOnlyDictionary<string, string> Headers)>> WaitForErrorsAsync(string queue, int count)
    {
        var all = new List<(string, IReadOnlyDictionary<string, string>)>();
        await Eventually.TrueAsync($"{count} messages in {queue}", async () =>
        {
            all.AddRange(await Broker.DrainQueueAsync(queue));
            return all.Count >= count;
        });
        return all;
    }

    public override async Task DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await base.DisposeAsync();
    }
}
