using Dapper;
using MassTransit;
using Routing.Benchmarks;
using Routing.Contracts;
using Routing.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

// Publishes N InboundMessageReceived for M customers and A agents and waits until every MessageRouted
// was consumed: routed messages/s and latency. The same run measures the raw ceiling: the same count
// published and consumed through MassTransit on the same broker, with a consumer that only publishes
// the answering event.
if (args.Contains("--simulation"))
{
    await SimulationBench.RunAsync(args);
    return;
}
var options = BenchOptions.Parse(args);
// The routing service runs in this process (WebApplicationFactory); its content root is this folder.
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ROUTING", AppContext.BaseDirectory);
Console.WriteLine($"routing benchmark: {options.Messages} messages, {options.Customers} customers, {options.Agents} agents, " +
    $"{options.PreseededCustomers} pre-seeded customers, {options.InFlight} publishes in flight");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

// Warm-up rounds (not counted) let the JIT finish tiering up both code paths, as in a long-running service.
// Then rounds alternate the two runs, so a slow moment of a shared machine falls on both; each is
// reported by its median round.
var ceilings = new List<RunResult>();
var routeds = new List<RunResult>();
for (var round = 1 - options.Warmup; round <= options.Rounds; round++)
{
    Console.WriteLine(round <= 0 ? "warm-up round (not counted)" : $"round {round} of {options.Rounds}");
    var ceilingRun = await RawCeiling.RunAsync(options);
    var routedRun = await RoutedRun.RunAsync(options);
    if (round > 0)
    {
        ceilings.Add(ceilingRun);
        routeds.Add(routedRun);
    }
}
static RunResult Median(List<RunResult> runs) => runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);
var ceiling = Median(ceilings);
var routed = Median(routeds);

var table = $"""
| run | messages | customers | agents | seconds | messages/s | p50 ms | p99 ms | ratio to ceiling |
|---|---|---|---|---|---|---|---|---|
| raw MassTransit ceiling (consume + publish answer) | {options.Messages} | - | - | {ceiling.Seconds:F2} | {ceiling.Rate:F0} | {ceiling.P50:F1} | {ceiling.P99:F1} | 1.00 |
| routed (publish → MessageRouted consumed) | {options.Messages} | {(options.PreseededCustomers > 0 ? options.PreseededCustomers : options.Customers)} | {options.Agents} | {routed.Seconds:F2} | {routed.Rate:F0} | {routed.P50:F1} | {routed.P99:F1} | {routed.Rate / ceiling.Rate:F2} |
| routed (publish → ConversationAssigned consumed, {routed.Assigned} new conversations) | | | | | | {routed.AssignedP50:F1} | {routed.AssignedP99:F1} | |

Median of {options.Rounds} rounds after {options.Warmup} warm-up round(s); messages/s per round: ceiling {string.Join(", ", ceilings.Select(c => c.Rate.ToString("F0", CultureInfo.InvariantCulture)))}; routed {string.Join(", ", routeds.Select(r => r.Rate.ToString("F0", CultureInfo.InvariantCulture)))}.
""";
Console.WriteLine();
Console.WriteLine(table);
var results = Path.Combine(AppContext.BaseDirectory, "results");
Directory.CreateDirectory(results);
var file = Path.Combine(results, $"bench-{DateTimeOffset.UtcNow:yyyyMMddTHHmmss}.md");
await File.WriteAllTextAsync(file, $"command: make bench BENCH_ARGS=\"{string.Join(' ', args)}\"\n\n{table}\n");
Console.WriteLine($"written to {file}");

internal sealed record RunResult(double Seconds, double Rate, double P50, double P99, int Assigned = 0, double AssignedP50 = 0, double AssignedP99 = 0);

internal static class Publishing
{
    public static IBusControl Bus(string url, Recorder recorder, bool relay)
    {
        var uri = new Uri(url);
        var user = uri.UserInfo.Split(':');
        return MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri.Host, (ushort)uri.Port, uri.AbsolutePath.Trim('/'), h =>
            {
                h.Username(user[0]);
                h.Password(user[1]);
            });
            cfg.PrefetchCount = 256;
            if (relay)
            {
                // The ceiling: consume each message and publish one answer, no routing work.
                cfg.ReceiveEndpoint("bench-relay", e => e.Handler<InboundMessageReceived>(c => c.Publish(new MessageRouted
                {
                    MessageId = c.Message.MessageId, ConversationId = Guid.Empty, CustomerId = Guid.Empty, ConversationStatus = "open",
                    Channel = c.Message.Channel, ChannelAccount = c.Message.ChannelAccount, ProviderMessageId = c.Message.ProviderMessageId,
                    Sender = c.Message.Sender, ReceivedAt = c.Message.ReceivedAt, RoutedAt = DateTimeOffset.UtcNow,
                })));
            }
            cfg.ReceiveEndpoint("bench-observer", e =>
            {
                e.Handler<MessageRouted>(c => { recorder.Routed(c.Message.MessageId); return Task.CompletedTask; });
                e.Handler<ConversationAssigned>(c =>
                {
                    if (c.Message.RecentMessages.Count > 0)
                    {
                        recorder.Assigned(c.Message.RecentMessages[0].MessageId);
                    }
                    return Task.CompletedTask;
                });
            });
        });
    }

    public static IReadOnlyList<InboundMessageReceived> Messages(BenchOptions options, int customerOffset, int customerCount)
    {
        var random = new Random(42);
        return Enumerable.Range(0, options.Messages).Select(i =>
        {
            // every customer writes first once, then the rest pick customers at random
            var customer = customerOffset + (i < customerCount ? i : random.Next(customerCount));
            var channel = (customer % 3) switch { 0 => "whatsapp", 1 => "sms", _ => "email" };
            var address = channel == "email"
                ? new CustomerAddress { Kind = "email", Value = $"customer{customer}@example.com" }
                : new CustomerAddress { Kind = "phone", Value = $"+1555{customer.ToString("D7", CultureInfo.InvariantCulture)}" };
            var providerId = $"bench-{i}-{Guid.NewGuid():N}";
            return new InboundMessageReceived
            {
                MessageId = MessageIds.ForInbound(channel, providerId), Channel = channel, ChannelAccount = "bench",
                ProviderMessageId = providerId, Sender = address, Text = "benchmark message",
                ProviderTimestamp = DateTimeOffset.UtcNow, ReceivedAt = DateTimeOffset.UtcNow,
            };
        }).ToList();
    }

    public static async Task<double> PublishAllAsync(IBus bus, IReadOnlyList<InboundMessageReceived> messages, Recorder recorder, int inFlight)
    {
        recorder.Expected = messages.Count;
        var watch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(inFlight);
        var tasks = messages.Select(async m =>
        {
            await gate.WaitAsync();
            try
            {
                recorder.Published(m.MessageId);
                await bus.Publish(m);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        var finished = await Task.WhenAny(recorder.Done, Task.Delay(TimeSpan.FromMinutes(20)));
        if (finished != recorder.Done)
        {
            throw new TimeoutException($"only {recorder.RoutedCount} of {messages.Count} messages were answered");
        }
        return watch.Elapsed.TotalSeconds;
    }
}

internal static class RawCeiling
{
    public static async Task<RunResult> RunAsync(BenchOptions options)
    {
        await using var broker = await TestBroker.CreateAsync();
        var recorder = new Recorder();
        var bus = Publishing.Bus(broker.Url, recorder, relay: true);
        await bus.StartAsync();
        try
        {
            var seconds = await Publishing.PublishAllAsync(bus, Publishing.Messages(options, 0, options.Customers), recorder, options.InFlight);
            var (p50, p99) = recorder.RoutedLatency;
            Console.WriteLine($"ceiling: {options.Messages / seconds:F0} messages/s");
            return new RunResult(seconds, options.Messages / seconds, p50, p99);
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}

internal static class RoutedRun
{
    public static async Task<RunResult> RunAsync(BenchOptions options)
    {
        await using var database = await RoutingDatabase.CreateAsync();
        await using var broker = await TestBroker.CreateAsync();
        await SeedAsync(database, options);

        await using var app = new RoutingApp(database.ConnectionString, broker.Url, new Dictionary<string, string?>
        {
            // Per-message information logs would measure the console, not routing.
            ["Logging:LogLevel:Default"] = "Warning",
            ["ConnectionStrings:Routing"] = database.ConnectionString + ";Maximum Pool Size=80" + Environment.GetEnvironmentVariable("BENCH_EXTRA_CONNECTION"),
        });
        using var client = app.CreateClient();
        while (!(await client.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            await Task.Delay(100);
        }

        var recorder = new Recorder();
        var bus = Publishing.Bus(broker.Url, recorder, relay: false);
        await bus.StartAsync();
        try
        {
            // New customers first write once each; with pre-seeded customers, messages come from them (returning customers).
            var customers = options.PreseededCustomers > 0 ? options.PreseededCustomers : options.Customers;
            var seconds = await Publishing.PublishAllAsync(bus, Publishing.Messages(options, 0, customers), recorder, options.InFlight);
            var (p50, p99) = recorder.RoutedLatency;
            var (a50, a99) = recorder.AssignedLatency;
            await using var connection = await database.DataSource.OpenConnectionAsync();
            var overCapacity = await connection.ExecuteScalarAsync<int>("select count(*) from agents where open_count > capacity");
            var mismatched = await connection.ExecuteScalarAsync<int>(
                "select count(*) from agents a where open_count <> (select count(*) from conversations c where c.agent_id = a.id and c.status = 'open')");
            // Agents have room for everyone: a waiting conversation would mean routing queued one while an agent was free.
            var waiting = await connection.ExecuteScalarAsync<int>("select count(*) from conversations where status in ('queued', 'held')");
            Console.WriteLine($"routed: {options.Messages / seconds:F0} messages/s; agents over capacity: {overCapacity}; load counters off: {mismatched}; conversations waiting: {waiting}");
            return new RunResult(seconds, options.Messages / seconds, p50, p99, recorder.AssignedCount, a50, a99);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>Agents with room for everyone; optionally a large population of known customers, a third with an owner.</summary>
    private static async Task SeedAsync(TestDatabase database, BenchOptions options)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var population = Math.Max(options.Customers, options.PreseededCustomers);
        var capacity = population / options.Agents + 2;
        await connection.ExecuteAsync(
            """
            insert into agents (id, name, capacity, channels, presence, presence_changed_at, created_at, updated_at)
            select 'agent-' || i, 'Agent ' || i, @capacity, '{whatsapp,sms,email}', 'available', now(), now(), now()
            from generate_series(1, @agents) i
            """, new { capacity, agents = options.Agents });
        if (options.PreseededCustomers > 0)
        {
            await connection.ExecuteAsync(
                """
                insert into customers (id, created_at)
                select md5('bench-customer-' || i)::uuid, now() from generate_series(0, @n - 1) i;
                insert into identities (kind, value, customer_id, created_at)
                select case i % 3 when 2 then 'email' else 'phone' end,
                       case i % 3 when 2 then 'customer' || i || '@example.com' else '+1555' || lpad(i::text, 7, '0') end,
                       md5('bench-customer-' || i)::uuid, now()
                from generate_series(0, @n - 1) i;
                insert into preferred_agents (customer_id, agent_id, position)
                select md5('bench-customer-' || i)::uuid, 'agent-' || (1 + i % @agents), 1
                from generate_series(0, @n - 1) i where i % 3 = 0;
                analyze;
                """, new { n = options.PreseededCustomers, agents = options.Agents }, commandTimeout: 600);
        }
        Console.WriteLine($"seeded {options.Agents} agents (capacity {capacity}) and {options.PreseededCustomers} customers in {watch.Elapsed.TotalSeconds:F1} s");
    }
}
