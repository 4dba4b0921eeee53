using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Routing.Agents;
using Routing.Contracts;
using Routing.Database;
using Routing.Inbound;
using Routing.Simulation;
using Routing.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Routing.Benchmarks;

/// <summary>
/// make bench BENCH_ARGS="--simulation": the same simulated day played two ways, in memory by the simulator and through
/// the live routing service on PostgreSQL (its logic in process on a fake clock, every decision, hold and close a
/// transaction), in arrivals per second of wall time, and what each would take for the standard month.
/// </summary>
internal static class SimulationBench
{
    private const int StandardMonthArrivals = 795_602;

    public static async Task RunAsync(string[] args)
    {
        var agents = Get(args, "agents", 40);
        var perDay = Get(args, "per-day", 2400);
        var scenario = new Scenario
        {
            Name = "benchmark day",
            Days = 1,
            Agents = new AgentsSpec { Count = agents, Channels = ["email", "sms", "whatsapp"] },
            Customers = new CustomersSpec { Known = 0 },
            Arrivals = new ArrivalsSpec
            {
                PerDay = perDay,
                Channels = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["whatsapp"] = 0.5, ["sms"] = 0.3, ["email"] = 0.2 },
            },
        };
        var traffic = Traffic.Draw(scenario);
        Console.WriteLine($"simulation benchmark: one day, {agents} agents, {traffic.Arrivals} arrivals, {traffic.Events.Count} presence changes and arrivals");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

        var options = new RoutingOptions { OfflineGrace = TimeSpan.FromDays(1) };
        var memory = new List<double>();
        SimSummary? summary = null;
        for (var round = 0; round < 6; round++)
        {
            var watch = Stopwatch.StartNew();
            summary = new SimRun(traffic, new RelationshipPolicy("relationship", options), options.HistoryLookback).Run().Summary;
            if (round > 0)
            {
                memory.Add(watch.Elapsed.TotalSeconds); // the first round warms the JIT up
            }
        }
        var inMemory = memory.Order().ElementAt(memory.Count / 2);

        var (database, seconds, steps, ceiling) = await ThroughTheDatabaseAsync(traffic, options);
        var table = $"""
            | path | arrivals | seconds | arrivals/s | the standard month ({StandardMonthArrivals:N0} arrivals) at this rate |
            |---|---|---|---|---|
            | simulator, in memory (median of 5 rounds) | {traffic.Arrivals} | {inMemory:F3} | {traffic.Arrivals / inMemory:F0} | {Span(StandardMonthArrivals / (traffic.Arrivals / inMemory))} per policy |
            | live service on PostgreSQL, step by step ({steps} steps) | {database} | {seconds:F1} | {database / seconds:F0} | {Span(StandardMonthArrivals / (database / seconds))} per policy |

            In memory: {summary!.Conversations} conversations, {summary.Holds} holds. Ratio {(traffic.Arrivals / inMemory) / (database / seconds):F0}×.
            Through the database: {steps / seconds:F0} steps/s (a presence change, an arrival, a close or a hold's end, each with the timers' sweep
            at its instant), against a raw ceiling of {ceiling:F0} empty transactions/s (begin, select 1, commit) on the same database in the same run.
            """;
        Console.WriteLine();
        Console.WriteLine(table);
        var results = Path.Combine(AppContext.BaseDirectory, "results");
        Directory.CreateDirectory(results);
        var file = Path.Combine(results, $"simulation-{DateTimeOffset.UtcNow:yyyyMMddTHHmmss}.md");
        await File.WriteAllTextAsync(file, $"command: make bench BENCH_ARGS=\"{string.Join(' ', args)}\"\n\n{table}\n");
        Console.WriteLine($"written to {file}");
    }

    /// <summary>The traffic's presence changes and arrivals through the service, with its holds and closes (<see cref="LiveDriver"/>).</summary>
    private static async Task<(int Arrivals, double Seconds, int Steps, double Ceiling)> ThroughTheDatabaseAsync(Traffic traffic, RoutingOptions options)
    {
        await using var database = await RoutingDatabase.CreateAsync();
        var ceiling = await EmptyTransactionsPerSecondAsync(database.DataSource);
        var clock = new FakeTimeProvider(traffic.Start - TimeSpan.FromMinutes(1));
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddMetrics()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(database.DataSource)
            .AddRoutingCore()
            .PostConfigure<RoutingOptions>(o => o.OfflineGrace = options.OfflineGrace)
            .BuildServiceProvider();
        var agentService = services.GetRequiredService<AgentService>();
        foreach (var plan in traffic.Agents)
        {
            await agentService.CreateAsync(new AgentRow { Id = plan.Id, Name = plan.Id, Capacity = plan.Capacity, Channels = plan.Channels }, CancellationToken.None);
        }
        var inbound = services.GetRequiredService<InboundRouter>();
        var handles = new Dictionary<Guid, TimeSpan>();
        var arrivals = 0;
        var script = new List<(DateTimeOffset At, Func<Task> Do)>();
        foreach (var e in traffic.Events.Where(e => e.At < traffic.End))
        {
            var presence = e.Kind switch
            {
                ExternalKind.ShiftStart or ExternalKind.BreakEnd => AgentPresences.Available,
                ExternalKind.BreakStart => AgentPresences.Away,
                ExternalKind.ShiftEnd => AgentPresences.Offline,
                _ => null,
            };
            if (presence is not null)
            {
                var agent = traffic.Agents[e.Subject].Id;
                script.Add((e.At, () => agentService.SetPresenceAsync(agent, presence, null, CancellationToken.None)));
                continue;
            }
            var message = e.Channel == Channels.Email
                ? TestMessages.Inbound(e.Channel, "email", $"customer{e.Subject}@example.com", at: e.At)
                : TestMessages.Inbound(e.Channel, "phone", $"+1555{e.Subject:0000000}", at: e.At);
            script.Add((e.At, async () =>
            {
                arrivals++;
                var outcome = await inbound.RouteAsync(message, CancellationToken.None);
                handles.TryAdd(outcome.ConversationId, e.Handle);
            }));
        }
        var driver = new LiveDriver(services, clock, id => handles.GetValueOrDefault(id, TimeSpan.FromMinutes(9)));
        var watch = Stopwatch.StartNew();
        await driver.DriveAsync(traffic.End, script);
        return (arrivals, watch.Elapsed.TotalSeconds, driver.Steps, ceiling);
    }

    /// <summary>The database's raw ceiling here: transactions that do nothing, one after the other, as the driver's are.</summary>
    private static async Task<double> EmptyTransactionsPerSecondAsync(Npgsql.NpgsqlDataSource dataSource)
    {
        const int count = 3000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = new Npgsql.NpgsqlCommand("select 1", connection, tx);
            await command.ExecuteScalarAsync();
            await tx.CommitAsync();
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    private static string Span(double seconds) => seconds switch
    {
        >= 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:F1} h"),
        >= 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F1} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s"),
    };

    private static int Get(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
