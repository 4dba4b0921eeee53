using Routing.Adapters.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.Delivery;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>The gateway process's admin API on a real PostgreSQL: its credential, targets guarded, exhausted deliveries listed and replayed.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private const string AdminToken = GatewayHost.AdminToken;
    private GatewayDatabase _database = null!;
    private Receiver _receiver = null!;
    private Routing.Testing.TestBroker _broker = null!;
    private GatewayTestApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _database = await GatewayDatabase.CreateAsync();
        _receiver = await Receiver.StartAsync();
        _broker = await Routing.Testing.TestBroker.CreateAsync();
        _app = new GatewayTestApp(_database.ConnectionString, _broker.Url, new Dictionary<string, string>
        {
            ["Gateway:Delivery:MaxAttempts"] = "2",
            ["Gateway:Delivery:AttemptTimeout"] = "00:00:01",
            ["Gateway:Delivery:Lease"] = "00:00:02",
        });
        _client = _app.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-the-admin-token", HttpStatusCode.Forbidden)]
    public async Task Should_refuse_requests_without_the_admin_token(string? token, HttpStatusCode expected)
    {
        using var anonymous = _app.CreateClient();
        if (token is not null)
        {
            anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var list = await anonymous.GetAsync("/admin/webhook-deliveries?status=exhausted");
        using var create = await anonymous.PostAsJsonAsync("/admin/agents/anna/webhook-targets", new { url = _receiver.Url + "/hooks" });

        Assert.Equal((expected, expected), (list.StatusCode, create.StatusCode));
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("not a url", "absolute")]
    [InlineData("ftp://helpdesk.example.com/", "http(s)")]
    public async Task Should_refuse_targets_it_must_not_call(string url, string reason)
    {
        using var response = await _client.PostAsJsonAsync("/admin/agents/anna/webhook-targets", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("url", problem.GetProperty("field").GetString());
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Should_list_exhausted_deliveries_and_replay_one_to_a_receiver_that_recovered()
    {
        _receiver.Then(500);
        var created = await (await _client.PostAsJsonAsync("/admin/agents/anna/webhook-targets", new { url = _receiver.Url + "/hooks" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("secret").GetString()!;
        await _app.Services.GetRequiredService<DeliveryStore>().EnqueueAsync("anna", Guid.NewGuid(), "conversation.assigned",
            Encoding.UTF8.GetBytes("""{"type":"conversation.assigned"}"""), DateTimeOffset.UtcNow, CancellationToken.None);

        var exhausted = await WaitForAsync("exhausted");
        _receiver.Then(200);
        var id = exhausted.GetProperty("id").GetGuid();
        using var replay = await _client.PostAsync($"/admin/webhook-deliveries/{id}/replay", null);
        await WaitForAsync("delivered");
        using var again = await _client.PostAsync($"/admin/webhook-deliveries/{id}/replay", null);
        using var unknown = await _client.PostAsync($"/admin/webhook-deliveries/{Guid.NewGuid()}/replay", null);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Conflict, HttpStatusCode.NotFound), (replay.StatusCode, again.StatusCode, unknown.StatusCode));
        var last = _receiver.Requests.Last();
        Assert.Equal("msg_" + id.ToString("N"), last.Id);
        Assert.True(StandardWebhookSignature.Verify(secret, last.Id, last.Timestamp, last.Signature, last.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Should_list_targets_without_their_secret_and_disable_one()
    {
        var created = await (await _client.PostAsJsonAsync("/admin/agents/ben/webhook-targets", new { url = _receiver.Url + "/hooks" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();

        using var disable = await _client.DeleteAsync($"/admin/webhook-targets/{id}");
        using var missing = await _client.DeleteAsync($"/admin/webhook-targets/{Guid.NewGuid()}");
        var listed = await _client.GetStringAsync("/admin/agents/ben/webhook-targets");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (disable.StatusCode, missing.StatusCode));
        var target = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray());
        Assert.False(target.GetProperty("enabled").GetBoolean());
        Assert.DoesNotContain("whsec_", listed);
        Assert.DoesNotContain(created.GetProperty("secret").GetString()!, listed);
    }

    [Fact]
    public async Task Should_issue_agent_tokens_that_act_as_their_agent_only_until_revoked()
    {
        var anna = await (await _client.PostAsync("/admin/agents/anna/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var ben = await (await _client.PostAsync("/admin/agents/ben/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var annaToken = anna.GetProperty("token").GetString()!;

        Assert.Equal("anna", await WhoAsync(annaToken));
        Assert.Equal("ben", await WhoAsync(ben.GetProperty("token").GetString()!));
        using (var revoke = await _client.DeleteAsync($"/admin/tokens/{anna.GetProperty("id").GetGuid()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        Assert.Null(await WhoAsync(annaToken));
        Assert.Null(await WhoAsync("agt_" + annaToken[4..^1] + "x"));
        Assert.Null(await WhoAsync(AdminToken));

        var listed = await _client.GetStringAsync("/admin/agents/anna/tokens");
        Assert.DoesNotContain(annaToken, listed);
        Assert.NotNull(Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray()).GetProperty("revokedAt").GetString());
    }

    /// <summary>GET /me with the token: the agent it acts as, or null when the API answers 401.</summary>
    private async Task<string?> WhoAsync(string token)
    {
        using var agent = _app.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await agent.GetAsync("/me");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return null;
        }
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("agentId").GetString();
    }

    [Fact]
    public async Task Should_refuse_an_unknown_delivery_status()
    {
        using var response = await _client.GetAsync("/admin/webhook-deliveries?status=lost");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("status", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private async Task<JsonElement> WaitForAsync(string status) =>
        await Eventually.ValueAsync<JsonElement>($"one {status} delivery", async () =>
        {
            var listed = await _client.GetFromJsonAsync<JsonElement>($"/admin/webhook-deliveries?status={status}");
            return listed.GetArrayLength() == 1 ? listed[0] : null;
        });
}
