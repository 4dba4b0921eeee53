using Routing.Contracts;
using Routing.Database;
using Routing.Simulation;

namespace Routing.UnitTests;

/// <summary>A period of the routing database read back as the simulator's traffic: what it starts from and what it assumes.</summary>
public sealed class RecordedTrafficTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(2);
    private static readonly Guid Carried = Guid.NewGuid(), Waiting = Guid.NewGuid(), GaveUp = Guid.NewGuid();
    private static readonly Guid CarriedCustomer = Guid.NewGuid(), WaitingCustomer = Guid.NewGuid(), GaveUpCustomer = Guid.NewGuid();

    [Fact]
    public void Should_start_from_the_slots_taken_and_the_presence_recorded_when_the_period_begins()
    {
        var replay = RecordedTraffic.From(Data(), From, To);

        var run = new SimRun(replay.Traffic, new RelationshipPolicy("in force", new RoutingOptions()), TimeSpan.FromDays(90), recordDecisions: true);
        var summary = run.Run().Summary!;

        // anna's one slot is taken by the conversation she had at 09:00 until it closes at 09:05; bruno comes online at 09:10
        var decisions = run.Decisions!.Select(d => (replay.Conversations[d.Arrival], d.At - From, d.Outcome, d.Agent, d.Reason)).ToList();
        Assert.Equal(
        [
            (Waiting, TimeSpan.FromMinutes(1), RoutingOutcomes.Queued, null, RoutingReasons.NoAgentAvailable),
            (GaveUp, TimeSpan.FromMinutes(2), RoutingOutcomes.Queued, null, RoutingReasons.NoAgentAvailable),
            (Waiting, TimeSpan.FromMinutes(5), RoutingOutcomes.Assigned, "anna", RoutingReasons.Queue),
        ], decisions);
        // the customer who never reached an agent gave up when the conversation closed, before bruno came
        Assert.Equal(1, summary.Abandoned);
        Assert.Equal(2, summary.Conversations);
        Assert.Equal(1, replay.PresenceChanges);
    }

    [Fact]
    public void Should_take_handle_times_from_assignment_to_close_and_mark_each_agents_day_from_presence()
    {
        var replay = RecordedTraffic.From(Data(), From, To);

        var waiting = replay.Traffic.Events.Single(e => e.Kind == ExternalKind.Arrival && replay.Conversations[e.Index] == Waiting);
        Assert.Equal(TimeSpan.FromMinutes(30), waiting.Handle);
        var carried = replay.Traffic.Events.Single(e => e.Kind == ExternalKind.CarryOver);
        Assert.Equal((TimeSpan.FromMinutes(5), 0), (carried.Handle, carried.Agent));
        var bruno = replay.Traffic.Agents.Single(a => a.Id == "bruno");
        Assert.Equal((From.AddMinutes(10), To), bruno.Shifts[DateOnly.FromDateTime(From.UtcDateTime)]);
        Assert.Equal(From.AddHours(-1), replay.Traffic.Agents.Single(a => a.Id == "anna").LastAssignedAt);
    }

    private static ReplayData Data() => new(
        [new ReplayAgent { Id = "anna", Capacity = 1, Channels = ["sms"] }, new ReplayAgent { Id = "bruno", Capacity = 1, Channels = ["sms"] }],
        [Presence("anna", AgentPresences.Available, From.AddHours(-2)), Presence("bruno", AgentPresences.Offline, From.AddHours(-2))],
        [Presence("bruno", AgentPresences.Available, From.AddMinutes(10))],
        [
            Conversation(Waiting, WaitingCustomer, From.AddMinutes(1), assigned: From.AddMinutes(5), closed: From.AddMinutes(35)),
            Conversation(GaveUp, GaveUpCustomer, From.AddMinutes(2), assigned: null, closed: From.AddMinutes(3)),
        ],
        [],
        [],
        [new CarriedConversation { Id = Carried, CustomerId = CarriedCustomer, Channel = "sms", AgentId = "anna", ClosedAt = From.AddMinutes(5).UtcDateTime }],
        new Dictionary<string, DateTimeOffset> { ["anna"] = From.AddHours(-1) },
        []);

    private static ReplayPresence Presence(string agent, string presence, DateTimeOffset at) =>
        new() { AgentId = agent, Presence = presence, At = at.UtcDateTime };

    private static ReplayConversation Conversation(Guid id, Guid customer, DateTimeOffset created, DateTimeOffset? assigned, DateTimeOffset? closed) => new()
    {
        Id = id, CustomerId = customer, Channel = "sms", CreatedAt = created.UtcDateTime, AssignedAt = assigned?.UtcDateTime, ClosedAt = closed?.UtcDateTime,
    };
}
