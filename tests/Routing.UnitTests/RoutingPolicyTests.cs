using Routing.Contracts;
using Microsoft.Extensions.Time.Testing;
using Routing.Policy;

namespace Routing.UnitTests;

public sealed class RoutingPolicyTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private static AgentSnapshot Agent(string id, string presence = AgentPresences.Available, int open = 0, int capacity = 2,
        string[]? channels = null, DateTimeOffset? lastAssigned = null, DateTimeOffset? presenceSince = null) => new()
    {
        Id = id,
        Presence = presence,
        PresenceChangedAt = presenceSince ?? Clock.GetUtcNow().AddHours(-1),
        OpenCount = open,
        Capacity = capacity,
        Channels = channels ?? ["whatsapp", "email", "sms"],
        LastAssignedAt = lastAssigned,
    };

    private static IReadOnlyList<Candidate> Owners(params AgentSnapshot[] agents) =>
        RoutingPolicy.PreferredSet(agents, [], Clock.GetUtcNow(), TimeSpan.FromDays(90));

    [Fact]
    public void Should_assign_preferred_agent_when_online()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("whatsapp", Owners(Agent("anna")), None, true, TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        var assign = Assert.IsType<PreferredOutcome.Assign>(outcome);
        Assert.Equal("anna", assign.Candidate.Agent.Id);
        Assert.True(Assert.Single(outcome.Verdicts).Chosen);
    }

    [Fact]
    public void Should_take_the_first_owner_in_order_that_can_serve()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("whatsapp",
            Owners(Agent("anna", channels: ["email"]), Agent("ben", AgentPresences.Offline), Agent("cleo"), Agent("dan")),
            None, true, TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        var assign = Assert.IsType<PreferredOutcome.Assign>(outcome);
        Assert.Equal("cleo", assign.Candidate.Agent.Id);
        Assert.Equal(["does not serve whatsapp", "offline since 2026-11-23 08:00 UTC", "chosen: available, 0/2 open"],
            outcome.Verdicts.Select(v => v.Verdict));
    }

    [Fact]
    public void Should_hold_for_a_preferred_agent_who_is_full()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("whatsapp", Owners(Agent("anna", open: 3, capacity: 3)), None, true,
            TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        var hold = Assert.IsType<PreferredOutcome.Hold>(outcome);
        Assert.Equal(["anna"], hold.HeldFor);
        Assert.Equal(Clock.GetUtcNow().AddMinutes(2), hold.Until);
        Assert.Equal("3/3 open", Assert.Single(outcome.Verdicts).Verdict);
    }

    [Fact]
    public void Should_hold_for_a_preferred_agent_who_is_away()
    {
        var since = new DateTimeOffset(2026, 11, 23, 8, 12, 0, TimeSpan.Zero);
        var outcome = RoutingPolicy.EvaluatePreferred("email", Owners(Agent("anna", AgentPresences.Away, presenceSince: since)), None, true,
            TimeSpan.FromMinutes(30), Clock.GetUtcNow());

        var hold = Assert.IsType<PreferredOutcome.Hold>(outcome);
        Assert.Equal(Clock.GetUtcNow().AddMinutes(30), hold.Until);
        Assert.Equal("away since 2026-11-23 08:12 UTC", Assert.Single(outcome.Verdicts).Verdict);
    }

    [Fact]
    public void Should_fall_back_at_once_when_the_channel_wait_is_zero()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("sms", Owners(Agent("anna", open: 2)), None, true, TimeSpan.Zero, Clock.GetUtcNow());

        Assert.IsType<PreferredOutcome.Fallback>(outcome);
    }

    [Fact]
    public void Should_not_hold_again_after_a_hold_expired()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("sms", Owners(Agent("anna", open: 2)), None, holdAllowed: false, TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        Assert.IsType<PreferredOutcome.Fallback>(outcome);
    }

    [Fact]
    public void Should_not_hold_for_offline_or_non_serving_preferred_agents()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("whatsapp",
            Owners(Agent("anna", AgentPresences.Offline), Agent("ben", channels: ["email"], open: 2)), None, true, TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        Assert.IsType<PreferredOutcome.Fallback>(outcome);
    }

    [Fact]
    public void Should_skip_and_not_hold_for_an_agent_who_declined()
    {
        var outcome = RoutingPolicy.EvaluatePreferred("whatsapp", Owners(Agent("anna", open: 2), Agent("ben")),
            new HashSet<string> { "anna", "ben" }, true, TimeSpan.FromMinutes(2), Clock.GetUtcNow());

        Assert.IsType<PreferredOutcome.Fallback>(outcome);
        Assert.All(outcome.Verdicts, v => Assert.Equal("passed it on: declined, let the offer expire or transferred it", v.Verdict));
    }

    [Fact]
    public void Should_order_preferred_set_owners_first_then_history_most_recent_first_within_lookback()
    {
        var now = Clock.GetUtcNow();
        var set = RoutingPolicy.PreferredSet(
            [Agent("owner-2"), Agent("owner-1")],
            [(Agent("old"), now.AddDays(-91)), (Agent("recent"), now.AddDays(-1)), (Agent("owner-1"), now), (Agent("older"), now.AddDays(-30))],
            now, TimeSpan.FromDays(90));

        Assert.Equal(["owner-2", "owner-1", "recent", "older"], set.Select(c => c.Agent.Id));
        Assert.Equal([CandidateSources.Owner, CandidateSources.Owner, CandidateSources.History, CandidateSources.History], set.Select(c => c.Source));
    }

    [Fact]
    public void Should_break_history_ties_by_agent_id()
    {
        var now = Clock.GetUtcNow();
        var set = RoutingPolicy.PreferredSet([], [(Agent("zed"), now), (Agent("amy"), now)], now, TimeSpan.FromDays(90));

        Assert.Equal(["amy", "zed"], set.Select(c => c.Agent.Id));
    }

    [Fact]
    public void Should_rank_fallback_by_load_then_longest_idle_then_id()
    {
        var now = Clock.GetUtcNow();
        var ranked = RoutingPolicy.RankFallback("whatsapp",
        [
            Agent("busy", open: 1),
            Agent("recent", lastAssigned: now.AddMinutes(-1)),
            Agent("idle", lastAssigned: now.AddHours(-2)),
            Agent("b-never"),
            Agent("a-never"),
            Agent("full", open: 2),
            Agent("away", AgentPresences.Away),
            Agent("no-whatsapp", channels: ["email"]),
        ], None);

        Assert.Equal(["a-never", "b-never", "idle", "recent", "busy"], ranked.Select(a => a.Id));
    }

    [Fact]
    public void Should_never_rank_an_agent_without_a_free_slot()
    {
        var ranked = RoutingPolicy.RankFallback("sms", [Agent("zero", capacity: 0), Agent("full", open: 5, capacity: 5)], None);

        Assert.Empty(ranked);
    }

    [Fact]
    public void Should_release_only_after_the_offline_grace_period()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var agent = Agent("anna", AgentPresences.Offline, presenceSince: clock.GetUtcNow());
        var grace = TimeSpan.FromMinutes(10);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.False(RoutingPolicy.ShouldRelease(agent, clock.GetUtcNow(), grace));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(RoutingPolicy.ShouldRelease(agent, clock.GetUtcNow(), grace));
        Assert.False(RoutingPolicy.ShouldRelease(agent with { Presence = AgentPresences.Away }, clock.GetUtcNow(), grace));
    }

    [Fact]
    public void Should_use_channel_hold_waits_from_configuration()
    {
        var options = new RoutingOptions();

        Assert.Equal(TimeSpan.FromMinutes(30), options.HoldWaitFor("email"));
        Assert.Equal(TimeSpan.FromMinutes(2), options.HoldWaitFor("WhatsApp"));
        Assert.Equal(options.DefaultHoldWait, options.HoldWaitFor("telegram"));
    }

    [Fact]
    public void Should_take_or_hold_for_only_the_preferred_agents_in_the_conversations_team()
    {
        var outsider = Agent("anna");
        var busyMember = Agent("ben", open: 2) with { Teams = ["billing"] };
        var freeMember = Agent("carl") with { Teams = ["billing", "vip"] };

        var billing = new Need("whatsapp", "billing");
        var held = RoutingPolicy.EvaluatePreferred(billing, Owners(outsider, busyMember), None, true, TimeSpan.FromMinutes(2), Clock.GetUtcNow());
        var assigned = RoutingPolicy.EvaluatePreferred(billing, Owners(outsider, busyMember, freeMember), None, true, TimeSpan.FromMinutes(2),
            Clock.GetUtcNow());

        Assert.Equal(["ben"], Assert.IsType<PreferredOutcome.Hold>(held).HeldFor);
        Assert.Equal("not in team billing", held.Verdicts[0].Verdict);
        Assert.Equal("carl", Assert.IsType<PreferredOutcome.Assign>(assigned).Candidate.Agent.Id);
        Assert.Equal(["carl"], RoutingPolicy.RankFallback(billing, [outsider, busyMember, freeMember], None).Select(a => a.Id));
        Assert.Equal(["anna", "carl"], RoutingPolicy.RankFallback("whatsapp", [outsider, busyMember, freeMember], None).Select(a => a.Id));
    }
}
