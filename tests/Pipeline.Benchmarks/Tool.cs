using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;

namespace Routing.Pipeline.Benchmarks;

/// <summary>When a message reached an agent's tool, and the gateway delivery (its webhook-id) that carried it.</summary>
public sealed record Arrival(DateTimeOffset At, Guid DeliveryId);

/// <summary>
/// The agents' tool: one webhook receiver for every agent, which parses each delivery as a tool would and records when
/// each message (by the token in its text) first arrived. Answers 200 at once. It also serves /bare, the ceiling of a
/// plain HTTP endpoint in this run.
/// </summary>
public sealed partial class Tool : IAsyncDisposable
{
    private WebApplication _app = null!;

    public ConcurrentDictionary<string, Arrival> Arrivals { get; } = new();
    public string Url { get; private set; } = "";

    public static async Task<Tool> StartAsync()
    {
        var tool = new Tool();
        (tool._app, tool.Url) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/hooks/{agentId}", (Delegate)tool.ReceiveAsync);
            app.MapPost("/bare", async (HttpContext http) =>
            {
                await http.Request.Body.CopyToAsync(Stream.Null);
                return Results.Ok();
            });
        }, quiet: true);
        return tool;
    }

    /// <summary>
    /// Hires the run's agents in routing (available on every channel, room for everyone) with a webhook target each at
    /// this tool, after taking every other agent offline (the instance is the benchmark's).
    /// </summary>
    public async Task<IReadOnlyList<string>> HireAsync(int run, int count, int capacity)
    {
        using var routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
        using var admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway), Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
        var existing = await routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/agents");
        foreach (var agent in (existing.ValueKind == JsonValueKind.Array ? existing : existing.GetProperty("agents")).EnumerateArray())
        {
            var id = agent.GetProperty("id").GetString();
            (await routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{id}/presence", new { status = "offline" })).EnsureSuccessStatusCode();
        }
        var agents = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var agentId = $"bench-{run}-{i:D2}";
            (await routing.PostAsJsonAsync($"{LocalStack.Routing}/agents", new
            {
                id = agentId, name = $"Bench Agent {i}", capacity, channels = Traffic.Channels, presence = "available",
            })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = $"{Url}/hooks/{agentId}" })).EnsureSuccessStatusCode();
            agents.Add(agentId);
        }
        return agents;
    }

    private async Task<IResult> ReceiveAsync(HttpContext http)
    {
        var at = DateTimeOffset.UtcNow;
        using var payload = await JsonDocument.ParseAsync(http.Request.Body);
        var deliveryId = Guid.Parse(http.Request.Headers["webhook-id"].ToString().AsSpan("msg_".Length));
        var type = payload.RootElement.GetProperty("type").GetString();
        var data = payload.RootElement.GetProperty("data");
        // An assignment carries the conversation's own messages; a message.received the new one.
        IEnumerable<JsonElement> messages = type switch
        {
            "conversation.assigned" => data.GetProperty("messages").EnumerateArray(),
            "message.received" => [data.GetProperty("message")],
            _ => [],
        };
        foreach (var message in messages)
        {
            foreach (Match token in Token().Matches(message.GetRawText()))
            {
                Arrivals.TryAdd(token.Value, new Arrival(at, deliveryId));
            }
        }
        return Results.Ok();
    }

    [GeneratedRegex(Traffic.TokenPattern)]
    private static partial Regex Token();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
