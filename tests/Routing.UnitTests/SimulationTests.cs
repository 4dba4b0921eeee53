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

    [Fact]
    public void Should_give_a_channel_its_own_day_when_the_scenario_draws_one()
    {
        var officeHours = Enumerable.Range(0, 24).Select(h => h is >= 9 and < 17 ? 1.0 : 0).ToList();
        var scenario = SmallCentre with { Arrivals = new ArrivalsSpec { PerDay = 2000, HourlyByChannel = new() { ["Email"] = officeHours } } };

        var traffic = Traffic.Draw(scenario);

        var arrivals = traffic.Events.Where(e => e.Kind == ExternalKind.Arrival).ToList();
        var email = arrivals.Where(e => e.Channel == "email").ToList();
        Assert.NotEmpty(email);
        Assert.All(email, e => Assert.InRange(e.At.UtcDateTime.Hour, 9, 16));
        Assert.Contains(arrivals, e => e.Channel == "whatsapp" && e.At.UtcDateTime.Hour is < 9 or >= 17);
        // the days' volume is the same as with one curve for all (2000 a day of weight 1; Monday to Wednesday 1.1, 1.05, 1):
        // each channel's share is spread over its own curve
        Assert.InRange(arrivals.Count, 6300 * 0.95, 6300 * 1.05);
        Assert.InRange(email.Count / (double)arrivals.Count, 0.17, 0.23);
    }

    [Fact]
    public void Should_add_agents_like_an_existing_one_for_a_policy_line_and_leave_the_others_alone()
    {
        var traffic = Traffic.Draw(SmallCentre);
        var like = traffic.Agents[3];

        var grown = traffic.With([new MoreAgents { Like = like.Id, Count = 2 }]);
        var report = Simulator.Compare(traffic, "grown", [new PolicySpec(), new PolicySpec { Name = "two more", MoreAgents = [new MoreAgents { Like = like.Id, Count = 2 }] }],
            [], new RoutingOptions(), TimeProvider.System);

        Assert.Equal([$"{like.Id}+1", $"{like.Id}+2"], grown.Agents.Skip(traffic.Agents.Count).Select(a => a.Id));
        Assert.All(grown.Agents.Skip(traffic.Agents.Count), a => Assert.Equal((like.Capacity, like.Channels, like.Shifts.Count), (a.Capacity, a.Channels, a.Shifts.Count)));
        var presence = traffic.Events.Count(e => e.Kind != ExternalKind.Arrival && e.Subject == 3);
        Assert.Equal(traffic.Events.Count + 2 * presence, grown.Events.Count);
        Assert.Equal(traffic.Arrivals, grown.Arrivals);
        Assert.Equal(traffic.Agents.Count, report.Policies[0].Summary.UtilisationByAgent.Count);
        Assert.Equal(traffic.Agents.Count + 2, report.Policies[1].Summary.UtilisationByAgent.Count);
        Assert.Throws<ScenarioException>(() => traffic.With([new MoreAgents { Like = "nobody" }]));
    }

    [Fact]
    public void Should_write_a_self_contained_report_with_every_run_and_the_goal()
    {
        using var dir = new TempDir();
        var scenario = Path.Combine(dir.Path, "small.json");
        File.WriteAllText(scenario, System.Text.Json.JsonSerializer.Serialize(SmallCentre with { HoldSweepMinutes = [0, 2] }, Scenario.Json));
        var output = new StringWriter();
        var error = new StringWriter();

        var code = SimulateCommand.Run(["--scenario", scenario, "--out", dir.Path], output, error);

        Assert.True(code == 0, error.ToString());
        var html = File.ReadAllText(Path.Combine(dir.Path, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("Hit rate against hold time", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "report.json")));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("policies").GetArrayLength());
        Assert.Equal(2, root.GetProperty("holdSweep").GetArrayLength());
        // every run of this project's policy is judged against the goal: the defaults and both sweep points
        Assert.Equal(3, root.GetProperty("goal").GetProperty("lines").GetArrayLength());
        Assert.Contains("round-robin", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("goal:", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"days\": 0}", "days must be 1 to 366")]
    [InlineData("{\"agents\": {\"count\": 10, \"capacity\": 0}}", "agents.capacity")]
    [InlineData("{\"arrivals\": {\"channels\": {\"telegram\": 1}}}", "names a channel no agent serves")]
    [InlineData("{\"policies\": [{\"kind\": \"random\"}]}", "kind 'random'")]
    [InlineData("{\"holdSweepMinutes\": [-1]}", "holdSweepMinutes")]
    [InlineData("{\"arrivals\": {\"hourlyByChannel\": {\"email\": [1, 2]}}}", "hourlyByChannel")]
    [InlineData("{\"agentz\": {}}", "agentz")]
    [InlineData("not json", "is not a scenario")]
    [InlineData("{\"days\": 1, \"agents\": {\"count\": 5}, \"customers\": {\"known\": 10}, \"arrivals\": {\"perDay\": 50}, \"policies\": [{\"moreAgents\": [{\"like\": \"anna\"}]}]}", "no agent 'anna'")]
    [InlineData("{\"policies\": [{\"moreAgents\": [{\"like\": \"agent-001\", \"count\": 0}]}]}", "moreAgents")]
    public void Should_refuse_a_scenario_it_cannot_simulate_and_say_why(string text, string expected)
    {
        using var dir = new TempDir();
        var scenario = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(scenario, text);
        var error = new StringWriter();

        var code = SimulateCommand.Run(["--scenario", scenario, "--out", dir.Path], TextWriter.Null, error);

        Assert.Equal(2, code);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "report.html")));
    }

    [Fact]
    public void Should_refuse_arguments_it_does_not_know()
    {
        var error = new StringWriter();

        Assert.Equal(2, SimulateCommand.Run(["--scenari", "x.json"], TextWriter.Null, error));
        Assert.Equal(2, SimulateCommand.Run([], TextWriter.Null, error));
        Assert.Contains(SimulateCommand.Usage, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_commit_a_standard_month_that_loads_with_its_documented_values()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "simulate", "standard-month.json");

        var scenario = Scenario.Load(path);

        // the file spells out the built-in standard month: the README's figures are for exactly these values
        var builtIn = new Scenario { Name = scenario.Name, Policies = scenario.Policies };
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(builtIn, Scenario.Json), System.Text.Json.JsonSerializer.Serialize(scenario, Scenario.Json));
        Assert.Equal(500, scenario.Agents.Count);
        Assert.Equal(30, scenario.Days);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("routing-simulate-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
