using Routing.AgentGateway.Conversations;
using Routing.Contracts;

namespace AgentGateway.Tests;

/// <summary>Routing's codes cross to the gateway as strings; the lists in Routing.Contracts are what both compile against.</summary>
public sealed class ReceiptTextTests
{
    public static TheoryData<string> Reasons() => [.. RoutingReasons.OfAssignment, RoutingReasons.PreferredBusy, RoutingReasons.NoAgentAvailable];

    public static TheoryData<string> Triggers() => [.. RoutingTriggers.All];

    public static TheoryData<string> Releases() => [.. RoutingReasons.OfRelease];

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Every_reason_routing_emits_has_a_sentence(string reason)
    {
        var text = ReceiptText.Reason(reason);
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.NotEqual(reason, text);
    }

    [Theory]
    [MemberData(nameof(Triggers))]
    public void Every_trigger_routing_emits_has_a_sentence(string trigger) => Assert.False(string.IsNullOrWhiteSpace(ReceiptText.Trigger(trigger)));

    [Theory]
    [MemberData(nameof(Releases))]
    public void Every_release_reason_has_a_sentence(string reason)
    {
        Assert.True(ReceiptText.KnowsRelease(reason));
        Assert.NotEqual(reason, ReceiptText.Released(reason));
    }

    [Fact]
    public void Every_public_reason_constant_is_in_a_list()
    {
        var listed = RoutingReasons.OfAssignment.Concat(RoutingReasons.OfRelease).Append(RoutingReasons.PreferredBusy).Append(RoutingReasons.NoAgentAvailable).ToHashSet();
        var declared = typeof(RoutingReasons).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(declared);
        Assert.All(declared, d => Assert.Contains(d, listed));
        var triggers = typeof(RoutingTriggers).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(triggers.Order(), RoutingTriggers.All.Order());
    }

    [Fact]
    public void A_conversation_held_for_its_agent_is_said_in_words()
    {
        var receipt = new RoutingReceiptSummary
        {
            DecisionId = Guid.NewGuid(), Trigger = RoutingTriggers.SlotFreed, Outcome = RoutingOutcomes.Assigned,
            Reason = RoutingReasons.HeldForAgent, CandidatesConsidered = 1,
            Candidates = [new CandidateSummary { AgentId = "anna", Source = CandidateSources.Preferred, Verdict = "chosen: freed a slot" }],
        };
        Assert.Equal("the conversation was held for you as a preferred agent (you freed a slot)", ReceiptText.For(receipt, "anna"));
    }

    [Fact]
    public void A_fallback_names_the_preferred_agents_passed_over()
    {
        var receipt = new RoutingReceiptSummary
        {
            DecisionId = Guid.NewGuid(), Trigger = RoutingTriggers.NewConversation, Outcome = RoutingOutcomes.Assigned,
            Reason = RoutingReasons.Fallback, CandidatesConsidered = 2,
            Candidates =
            [
                new CandidateSummary { AgentId = "anna", Source = CandidateSources.Owner, Verdict = "away since 09:12" },
                new CandidateSummary { AgentId = "ben", Source = CandidateSources.Pool, Verdict = "chosen" },
            ],
        };
        Assert.Equal("fallback: anna: away since 09:12", ReceiptText.For(receipt, "ben"));
    }
}
