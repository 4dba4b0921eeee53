using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace Adapters.Tests;

/// <summary>
/// An adapter in this process on a virtual host of its own on the real broker, ready before each test:
/// the fixture every adapter's HTTP and broker tests share.
/// </summary>
public abstract class AdapterEndpointTest : IAsyncLifetime
{
    private IAsyncDisposable _app = null!;

    internal TestBroker Broker { get; private set; } = null!;

    internal HttpClient Client { get; private set; } = null!;

    /// <summary>The adapter (a WebApplicationFactory), configured for the broker at <paramref name="brokerUrl"/>, and a client of it.</summary>
    private protected abstract (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl);

    public virtual async Task InitializeAsync()
    {
        Broker = await TestBroker.CreateAsync();
        (_app, Client) = Start(Broker.Url);
        await AdapterHttp.WaitReadyAsync(Client);
    }

    /// <summary>A refusal as every adapter answers it: the status, problem+json, and (for a 400) the field it names.</summary>
    private protected static async Task AssertRefusedAsync(HttpResponseMessage refused, HttpStatusCode expected, string? field)
    {
        Assert.Equal(expected, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            Assert.Equal(field, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
