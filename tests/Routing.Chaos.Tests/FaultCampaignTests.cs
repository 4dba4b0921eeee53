using Xunit.Abstractions;

namespace Routing.Chaos.Tests;

/// <summary>
/// The fault campaign's core at make test's scale (10 webhooks/s for 30 s over the five channels, 6 agents answering every
/// conversation twice with one Idempotency-Key): each crash strikes mid-load on the test instance's own stack, which comes
/// back, and the checker finds nothing lost, doubled, stranded, undelivered or over capacity. make chaos runs every scenario
/// at full scale (tests/Routing.Chaos/README.md).
/// </summary>
public sealed class FaultCampaignTests(ITestOutputHelper output)
{
    public static TheoryData<string> Smoke => new(Scenario.Smoke);

    [Theory]
    [MemberData(nameof(Smoke))]
    public async Task Should_lose_double_and_strand_nothing_when(string scenario)
    {
        var stack = await ChaosStack.AttachAsync();
        using var log = new StringWriter();
        var verdict = await Campaign.RunAsync(stack, Scenario.Named(scenario), CampaignOptions.Small, log);
        output.WriteLine(log.ToString());
        output.WriteLine(Verdict.Header);
        output.WriteLine(verdict.ToString());

        Assert.True(verdict.Acknowledged > 0 && verdict.RepliesAccepted > 0, $"the load did not get through at all: {verdict}");
        Assert.True(verdict.Clean, $"{scenario}: {verdict}");
    }
}
