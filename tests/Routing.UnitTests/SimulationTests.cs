using Routing.Simulation;

namespace Routing.UnitTests;

/// <summary>The simulator's engine on a small centre: every conversation accounted for, and the policies told apart.</summary>
public sealed class SimulationTests
{
    private static readonly Scenario SmallCentre = new()
    {
        Name = "small centre",
        Seed = 7,
        Days = 3,
        Agents = new AgentsSpec { Count = 40 },
        Customers = new CustomersSpec { Known = 3000 },
        Arrivals = new ArrivalsSpec { PerDay = 2000 },
    };

    [Fact]
    public void Should_draw_the_same_traffic_from_the_same_seed()
    {
        var first = Traffic.Draw(SmallCentre);
        var second = Traffic.Draw(SmallCentre);

        Assert.True(first.Arrivals > 1000, $"{first.Arrivals} arrivals in 3 days of 2000 a day");
        Assert.Equal(first.Events.Select(e => (e.At, e.Kind, e.Subject, e.Channel, e.Handle)), second.Events.Select(e => (e.At, e.Kind, e.Subject, e.Channel, e.Handle)));
    }

    [Theory]
    [InlineData(PolicyKinds.Relationship)]
    [InlineData(PolicyKinds.RoundRobin)]
    [InlineData(PolicyKinds.LongestIdle)]
    [InlineData(PolicyKinds.LastAgent)]
    public void Should_account_for_every_arrival(string kind)
    {
        var traffic = Traffic.Draw(SmallCentre);

        var summary = Run(traffic, new PolicySpec { Kind = kind });

        var served = summary.WaitByChannel.Sum(w => w.Served);
        Assert.Equal(traffic.Arrivals, summary.Conversations + summary.Joined + summary.WaitingAtEnd);
        Assert.Equal(summary.Conversations, served + summary.Abandoned);
        Assert.True(summary.Utilisation.Max <= 1.5, $"utilisation {summary.Utilisation.Max} of an agent's slots");
    }

    [Fact]
    public void Should_keep_more_returning_customers_with_their_agent_than_round_robin()
    {
        var traffic = Traffic.Draw(SmallCentre);

        var relationship = Run(traffic, new PolicySpec { Kind = PolicyKinds.Relationship });
        var roundRobin = Run(traffic, new PolicySpec { Kind = PolicyKinds.RoundRobin });

        Assert.True(relationship.PreferredHitRateWhenOnShift > roundRobin.PreferredHitRateWhenOnShift + 0.2,
            $"relationship {relationship.PreferredHitRateWhenOnShift}, round robin {roundRobin.PreferredHitRateWhenOnShift}");
        Assert.True(relationship.Holds > 0);
        Assert.Equal(0, roundRobin.Holds);
    }

    private static SimSummary Run(Traffic traffic, PolicySpec spec) =>
        new SimRun(traffic, SimPolicy.From(spec, new RoutingOptions()), TimeSpan.FromDays(90)).Run().Summary!;
}
