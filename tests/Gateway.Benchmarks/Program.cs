using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

// The agent gateway as it runs in production (its own process, real PostgreSQL and RabbitMQ): ConversationAssigned
// published with publisher confirms, consumed, stored with the customer's context, and delivered as signed webhooks
// to a receiver on loopback. Measured: deliveries per second for a burst, and the latency from publishing
// ConversationAssigned to the receiver's 200 at a steady rate; beside the receiver's own ceiling (direct POSTs of
// the same bodies, 16 at a time as the dispatcher sends them) in the same run.
var burst = Arg("--burst", 5000);
var rate = Arg("--rate", 200);
var seconds = Arg("--seconds", 10);
var agents = Arg("--agents", 50);
var warmup = Arg("--warmup", 5000);
const int GatewayPort = 5193;
const string AdminToken = "bench-admin-token-0123456789";

await using var broker = await TestBroker.CreateAsync();
var connectionString = await CreateDatabaseAsync();
var received = new ConcurrentDictionary<Guid, long>();
var receiver = await StartReceiverAsync(received);
var gateway = AdapterProcess.StartService(Path.Combine("services", "AgentGateway"), "Routing.AgentGateway", GatewayPort, new Dictionary<string, string>
{
    ["ConnectionStrings__Gateway"] = connectionString,
    ["RabbitMq__Url"] = broker.Url,
    ["Gateway__AdminToken"] = AdminToken,
    ["Gateway__SecretKey"] = Convert.ToBase64String(new byte[32]),
    ["Gateway__Delivery__AllowPrivateNetworks"] = "true",
    ["Gateway__Delivery__AllowHttp"] = "true",
    ["Logging__LogLevel__Default"] = "Warning",
});
try
{
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{GatewayPort}") };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    await AdapterHttp.WaitReadyAsync(http, http.BaseAddress.ToString().TrimEnd('/'));
    for (var a = 0; a < agents; a++)
    {
        (await http.PostAsJsonAsync($"/admin/agents/bench-{a}/webhook-targets", new { url = receiver.Url + "/hooks" })).EnsureSuccessStatusCode();
    }
    var sample = JsonSerializer.SerializeToUtf8Bytes(new { type = "conversation.assigned", timestamp = DateTimeOffset.UtcNow, data = Assigned(Guid.NewGuid(), "bench-0") },
        new JsonSerializerOptions(JsonSerializerDefaults.Web));

    // The receiver's ceiling: the same bodies POSTed straight to it, 16 at a time.
    var ceiling = await CeilingAsync(receiver.Url + "/bare", sample, TimeSpan.FromSeconds(seconds));
    // Warm-up (not counted): the first deliveries open connections and the JIT compiles the paths, then recompiles the hot
    // ones optimized (tiered compilation) for tens of seconds more; a gateway replica runs for days, so the measurement
    // starts once that is done.
    await WaitAllAsync(received, await PublishAsync(broker, warmup, 0, received, agents));

    var ids = Enumerable.Range(0, burst).Select(_ => Guid.NewGuid()).ToList();
    var events = ids.Select((id, i) => Assigned(id, $"bench-{i % agents}")).ToList();
    var started = Stopwatch.GetTimestamp();
    await broker.PublishManyAsync(events);
    var publishSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    await WaitAllAsync(received, ids);
    var burstSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

    var published = new ConcurrentDictionary<Guid, long>();
    var steady = await PublishAsync(broker, rate * seconds, rate, received, agents, published);
    await WaitAllAsync(received, steady);
    var latencies = steady.Select(id => Stopwatch.GetElapsedTime(published[id], received[id]).TotalMilliseconds).Order().ToArray();

    Console.WriteLine($"\n{agents} agents with a webhook target each; body {sample.Length} bytes; {Environment.ProcessorCount} cores\n");
    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| receiver ceiling (direct POSTs, 16 at a time) | {ceiling:F0} req/s |");
    Console.WriteLine($"| burst of {burst} ConversationAssigned: published and confirmed in | {publishSeconds:F2} s ({burst / publishSeconds:F0} /s) |");
    Console.WriteLine($"| burst: deliveries/s (publish of the first to 200 of the last) | {burst / burstSeconds:F0} /s |");
    Console.WriteLine($"| steady {rate}/s for {seconds} s: ConversationAssigned published to 200, p50 | {latencies[latencies.Length / 2]:F1} ms |");
    Console.WriteLine($"| steady {rate}/s for {seconds} s: p99 | {latencies[(int)(latencies.Length * 0.99)]:F1} ms |");
    Console.WriteLine($"| steady {rate}/s for {seconds} s: max | {latencies[^1]:F1} ms |");
}
finally
{
    gateway.Kill(entireProcessTree: true);
    await gateway.WaitForExitAsync();
    await receiver.App.DisposeAsync();
}

static ConversationAssigned Assigned(Guid conversationId, string agentId)
{
    var address = new CustomerAddress { Kind = "phone", Value = "+393331234567", DisplayName = "Maria Rossi" };
    return new ConversationAssigned
    {
        ConversationId = conversationId, CustomerId = Guid.NewGuid(), AgentId = agentId, Channel = "whatsapp", ChannelAccount = "+15550783881",
        CustomerDisplayName = "Maria Rossi", CustomerAddresses = [address, new CustomerAddress { Kind = "email", Value = "maria@example.com" }],
        RequiresAccept = false,
        Receipt = new RoutingReceiptSummary
        {
            DecisionId = Guid.NewGuid(), Trigger = "new-conversation", Outcome = "assigned", Reason = "fallback", CandidatesConsidered = 3,
            Candidates = [new CandidateSummary { AgentId = "anna", Source = "owner", Verdict = "away since 09:12" },
                          new CandidateSummary { AgentId = agentId, Source = "pool", Verdict = "chosen: 1/3 open" }],
        },
        RecentMessages = Enumerable.Range(0, 3).Select(i => new ConversationMessage
        {
            MessageId = Guid.NewGuid(), Channel = "whatsapp", Sender = address, Text = $"Message {i}: my order 1234 has not arrived", ReceivedAt = DateTimeOffset.UtcNow,
        }).ToList(),
        PreferredAgents = ["anna"],
        RelationshipHistory = [new AgentRelationship { AgentId = "anna", LastHandledAt = DateTimeOffset.UtcNow.AddDays(-12) }],
        AssignedAt = DateTimeOffset.UtcNow,
    };
}

// Publishes n events at a rate per second (0: as fast as one-at-a-time confirms allow), 8 publishers at once.
static async Task<List<Guid>> PublishAsync(TestBroker broker, int n, int rate, ConcurrentDictionary<Guid, long> received, int agents,
    ConcurrentDictionary<Guid, long>? published = null)
{
    var ids = Enumerable.Range(0, n).Select(_ => Guid.NewGuid()).ToList();
    var start = Stopwatch.GetTimestamp();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            if (rate > 0)
            {
                var due = start + (long)(i * Stopwatch.Frequency / (double)rate);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                }
            }
            published?.TryAdd(ids[i], Stopwatch.GetTimestamp());
            await broker.PublishAsync(Assigned(ids[i], $"bench-{i % agents}"));
        }
    }));
    return ids;
}

static async Task WaitAllAsync(ConcurrentDictionary<Guid, long> received, List<Guid> ids)
{
    var until = DateTime.UtcNow.AddMinutes(5);
    while (ids.Any(id => !received.ContainsKey(id)))
    {
        if (DateTime.UtcNow > until)
        {
            throw new TimeoutException($"{ids.Count(id => !received.ContainsKey(id))} deliveries did not arrive");
        }
        await Task.Delay(20);
    }
}

static async Task<double> CeilingAsync(string url, byte[] body, TimeSpan duration)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 });
    var count = 0;
    var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(url, content);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref count);
        }
    }));
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

// The agents' tool: parses each delivery (as a tool would) and records when the conversation's assignment arrived.
static async Task<(WebApplication App, string Url)> StartReceiverAsync(ConcurrentDictionary<Guid, long> received)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:5194");
    var app = builder.Build();
    app.MapPost("/hooks", async (HttpContext http) =>
    {
        using var payload = await JsonDocument.ParseAsync(http.Request.Body);
        received.TryAdd(payload.RootElement.GetProperty("data").GetProperty("conversation").GetProperty("id").GetGuid(), Stopwatch.GetTimestamp());
        return Results.Ok();
    });
    app.MapPost("/bare", async (HttpContext http) =>
    {
        using var payload = await JsonDocument.ParseAsync(http.Request.Body);
        return Results.Ok();
    });
    await app.StartAsync();
    return (app, "http://127.0.0.1:5194");
}

static async Task<string> CreateDatabaseAsync()
{
    var admin = await TestInfrastructure.PostgresAsync();
    var name = "gateway_bench_" + Guid.NewGuid().ToString("N")[..12];
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await new NpgsqlCommand($"create database {name}", connection).ExecuteNonQueryAsync();
    }
    return new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 64 }.ConnectionString;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
