using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Routing.Contracts;
using Routing.Simulation;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// The simulator runs the service's policy, not a copy of it: three busy hours of a small centre (customers returning to
/// their owners and their last agents, on SMS or WhatsApp as it comes (a queued conversation moving channel is routed
/// again), agents going away, offline and back, holds that end in their agent's freed slot, in fallback or early, queues)
/// go through the live service on PostgreSQL; then the simulator replays what the database
/// recorded, and every decision it makes is the one the service made, at the same instant, for the same reason.
/// </summary>
public sealed class SimulatorEquivalenceTests : EngineTest
{
    private static readonly string[] Phones = Enumerable.Range(0, 12).Select(i => $"+39333000{i:0000}").ToArray();
    private static readonly string[] Emails = Enumerable.Range(0, 5).Select(i => $"customer{i}@example.com").ToArray();
    private static readonly string[] AgentIds = ["anna", "ben", "carla", "dario", "elena"];

    private Random _random = null!;
    private LiveDriver? _driver;

    private protected override void Configure(RoutingOptions options) =>
        options.OfflineGrace = TimeSpan.FromDays(1); // the simulator does not release an offline agent's conversations

    [Theory]
    [InlineData(23)]
    [InlineData(37)]
    [InlineData(46)]
    public async Task Should_make_the_live_services_decisions_when_it_replays_what_the_service_recorded(int seed)
    {
        _random = new Random(seed);
        await Engine.AddAgentAsync("anna", capacity: 2);
        await Engine.AddAgentAsync("ben", capacity: 1, channels: ["sms", "whatsapp"]);
        await Engine.AddAgentAsync("carla", capacity: 2, channels: ["email", "sms"]);
        await Engine.AddAgentAsync("dario", capacity: 1);
        await Engine.AddAgentAsync("elena", capacity: 2, channels: ["whatsapp", "sms", "email"]);

        // before the period: every customer wrote once and was served, some have owners
        var customers = new List<Guid>();
        foreach (var (channel, kind, value) in Phones.Select((p, i) => (i % 2 == 0 ? "sms" : "whatsapp", "phone", p)).Concat(Emails.Select(e => ("email", "email", e))))
        {
            await Step(TimeSpan.FromSeconds(_random.Next(20, 200)));
            customers.Add((await Engine.ReceiveAsync(channel, kind, value)).CustomerId);
        }
        await DriveUntil(Engine.Clock.GetUtcNow() + TimeSpan.FromHours(1), []);
        for (var i = 0; i < customers.Count; i += 3)
        {
            var first = _random.Next(AgentIds.Length);
            await Engine.SetOwnersAsync(customers[i], AgentIds[first], AgentIds[(first + 1 + _random.Next(AgentIds.Length - 1)) % AgentIds.Length]);
        }

        // the period: customers write, agents come and go
        var from = Engine.Clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        var to = from + TimeSpan.FromHours(3);
        var script = new List<(DateTimeOffset At, Func<Task> Do)>();
        for (var m = 0; m < 70; m++)
        {
            var at = from + TimeSpan.FromMilliseconds(_random.Next(0, (int)(to - from).TotalMilliseconds));
            var phone = _random.Next(Phones.Length + Emails.Length);
            var message = phone < Phones.Length
                ? TestMessages.Inbound(_random.Next(3) == 0 ? "sms" : "whatsapp", "phone", Phones[phone], at: at)
                : TestMessages.Inbound("email", "email", Emails[phone - Phones.Length], at: at);
            script.Add((at, () => Engine.ReceiveAsync(message)));
        }
        foreach (var agent in AgentIds)
        {
            for (var change = 0; change < 4; change++)
            {
                var at = from + TimeSpan.FromMilliseconds(_random.Next(0, (int)(to - from).TotalMilliseconds));
                var presence = new[] { AgentPresences.Away, AgentPresences.Offline, AgentPresences.Available, AgentPresences.Available }[_random.Next(4)];
                script.Add((at, () => Engine.SetPresenceAsync(agent, presence)));
            }
        }
        await DriveUntil(to, script.OrderBy(s => s.At).ToList());

        var live = await LiveDecisionsAsync(from, to);
        var options = Engine.Services.GetRequiredService<IOptions<RoutingOptions>>().Value;
        RecordedTraffic replay;
        await using (var tx = await Engine.Db.BeginAsync(CancellationToken.None))
        {
            replay = await RecordedTraffic.LoadAsync(tx, from, to, options.HistoryLookback, CancellationToken.None);
        }
        var run = new SimRun(replay.Traffic, new RelationshipPolicy("live", options), options.HistoryLookback, recordDecisions: true);
        run.Run();
        var simulated = run.Decisions!.Select(d => (replay.Conversations[d.Arrival], d.At, d.Outcome, d.Agent, d.Reason)).ToList();

        // the traffic was busy enough to exercise every rule the simulator claims to share with the service
        Assert.True(replay.Conversations.Count >= 30, $"{replay.Conversations.Count} conversations");
        Assert.Contains(live, d => d.Outcome == RoutingOutcomes.Held);
        Assert.Contains(live, d => d.Outcome == RoutingOutcomes.Queued);
        Assert.Contains(live, d => d.Reason == RoutingReasons.Fallback);
        Assert.Contains(live, d => d.Reason is RoutingReasons.PreferredOwner or RoutingReasons.PreferredHistory);
        Assert.Contains(live, d => d.Reason == RoutingReasons.HeldForAgent);
        Assert.True(await TriggeredAsync(RoutingTriggers.ChannelChanged) > 0, "no queued conversation moved channel");
        Assert.True(await TriggeredAsync(RoutingTriggers.HeldAgentsUnavailable) > 0, "no hold ended early");
        if (Environment.GetEnvironmentVariable("ROUTING_EQUIVALENCE_DUMP") is { } dump)
        {
            File.WriteAllLines($"{dump}.live.{seed}", Describe(live));
            File.WriteAllLines($"{dump}.sim.{seed}", Describe(simulated));
        }
        Assert.Equal(Describe(live), Describe(simulated));
    }

    /// <summary>Moves the clock, then runs what the service's background loop would at that instant.</summary>
    private async Task Step(TimeSpan by) => await Engine.AdvanceAsync(by);

    /// <summary>The script played through the live service with the holds and closes it sets off; handle times drawn per conversation.</summary>
    private Task DriveUntil(DateTimeOffset until, List<(DateTimeOffset At, Func<Task> Do)> script) =>
        (_driver ??= new LiveDriver(Engine.Services, Engine.Clock, _ => TimeSpan.FromSeconds(_random.Next(180, 1500)))).DriveAsync(until, script);

    private async Task<List<(Guid Conversation, DateTimeOffset At, string Outcome, string? Agent, string Reason)>> LiveDecisionsAsync(DateTimeOffset from,
        DateTimeOffset to)
    {
        await using var connection = await Engine.Db.DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(Guid ConversationId, DateTime At, string Outcome, string? AgentId, string Reason)>(
            """
            select d.conversation_id, d.at, d.outcome, d.agent_id, d.reason from decisions d join conversations c on c.id = d.conversation_id
            where c.created_at >= @from and c.created_at < @to and d.at < @to and d.outcome in ('assigned', 'held', 'queued')
            order by d.seq
            """, new { from, to });
        return rows.Select(r => (r.ConversationId, new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.Outcome, r.AgentId, r.Reason)).ToList();
    }

    private async Task<int> TriggeredAsync(string trigger)
    {
        await using var connection = await Engine.Db.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>("select count(*) from decisions where trigger = @trigger", new { trigger });
    }

    private static List<string> Describe(IEnumerable<(Guid Conversation, DateTimeOffset At, string Outcome, string? Agent, string Reason)> decisions) =>
        decisions.Select(d => $"{d.At:HH:mm:ss.fff} {d.Conversation.ToString()[^12..]} {d.Outcome} {d.Agent ?? "-"} {d.Reason}").ToList();
}
