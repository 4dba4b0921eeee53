using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// Know the person, and respect their data, through the running local stack (issue 24): a Messenger customer, whose webhook
/// carries only an id, is named from Meta's user profile (the sandbox's); the export is one document with the gateway's part;
/// the erasure leaves nothing of the person in either service.
/// </summary>
public sealed class DataRightsStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(60));
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _http.Dispose();
        _routing.Dispose();
    }

    [Fact]
    public async Task Should_name_a_messenger_customer_from_their_profile_export_them_whole_and_erase_them_everywhere()
    {
        var psid = "88" + Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await _http.PutAsJsonAsync($"{LocalStack.Sandbox}/profiles/facebook/{psid}", new { first_name = "Ottavia", last_name = "Lanzi" })).EnsureSuccessStatusCode();
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var (request, messageId, _, _) = CustomerWebhooks.For("facebook", psid, "My lamp 4471 arrived broken");
        using (request)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        }
        var customerId = (await routed.WaitForAsync(m => m.MessageId == messageId)).CustomerId;

        var named = await Eventually.ValueAsync("the customer named from Messenger's profile", async () =>
            await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/customers/{customerId}") is var c
            && c.GetProperty("displayName").ValueKind == JsonValueKind.String ? c.GetProperty("displayName").GetString() : null);
        var export = await Eventually.ValueAsync("the gateway's copy of the message in the export", async () =>
        {
            using var response = await _routing.PostAsync($"{LocalStack.Routing}/customers/{customerId}/export", null);
            var document = await response.Content.ReadFromJsonAsync<JsonElement>();
            return document.GetProperty("services").GetProperty("agent-gateway").GetProperty("tables").TryGetProperty("gateway_messages", out var messages)
                && messages.GetArrayLength() > 0 ? (JsonElement?)document : null;
        });
        using var erase = await _routing.PostAsync($"{LocalStack.Routing}/customers/{customerId}/erase", null);
        var erased = await Eventually.ValueAsync("the gateway's copies erased", async () =>
        {
            using var response = await _routing.PostAsync($"{LocalStack.Routing}/customers/{customerId}/export", null);
            var document = await response.Content.ReadFromJsonAsync<JsonElement>();
            return document.GetProperty("services").GetProperty("agent-gateway").GetProperty("tables").GetProperty("gateway_messages").EnumerateArray()
                .All(m => m.GetProperty("body").ValueKind == JsonValueKind.Null) ? (JsonElement?)document : null;
        });

        Assert.Equal("Ottavia Lanzi", named);
        Assert.Contains("My lamp 4471", export.GetProperty("tables").GetProperty("messages").ToString(), StringComparison.Ordinal);
        Assert.Contains("Ottavia Lanzi", export.GetProperty("tables").GetProperty("address_profiles").ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.DoesNotContain("4471", erased.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Ottavia", erased.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(psid, erased.GetProperty("tables").ToString(), StringComparison.Ordinal);
        var lookup = await _routing.GetAsync($"{LocalStack.Routing}/customers/lookup?kind=facebook&value={psid}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }
}
