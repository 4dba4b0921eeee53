using Routing.Contracts;
using Routing.Database;
using Routing.Supervision;

namespace Routing.UnitTests;

/// <summary>The console says every decision in words: no code of the vocabulary reaches a supervisor as it is.</summary>
public sealed class DecisionTextTests
{
    private static DecisionRow Decision(string trigger, string outcome, string reason, string? agent = "anna", string candidates = "[]") => new()
    {
        Id = Guid.NewGuid(), ConversationId = Guid.NewGuid(), At = DateTime.UtcNow, Trigger = trigger, Outcome = outcome, Reason = reason,
        AgentId = agent, Candidates = candidates,
    };

    public static TheoryData<string> Reasons => new(RoutingReasons.OfAssignment.Concat([RoutingReasons.PreferredBusy, RoutingReasons.NoAgentAvailable]));

    public static TheoryData<string> Triggers => new(RoutingTriggers.All);

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Should_say_every_reason_in_words(string reason)
    {
        var outcome = reason switch
        {
            RoutingReasons.PreferredBusy => RoutingOutcomes.Held,
            RoutingReasons.NoAgentAvailable => RoutingOutcomes.Queued,
            _ => RoutingOutcomes.Assigned,
        };

        var text = DecisionText.Describe(Decision(RoutingTriggers.NewConversation, outcome, reason));

        Assert.NotEqual(reason, DecisionText.Reason(reason));
        Assert.Contains(DecisionText.Reason(reason), text);
        Assert.EndsWith(".", text);
    }

    [Theory]
    [MemberData(nameof(Triggers))]
    public void Should_say_every_trigger_in_words(string trigger)
    {
        var text = DecisionText.Describe(Decision(trigger, RoutingOutcomes.Assigned, RoutingReasons.Fallback));

        Assert.NotEqual(trigger, DecisionText.Trigger(trigger));
        // a customer's message and a close go without saying; any other cause is named
        Assert.True(trigger is RoutingTriggers.NewConversation or RoutingTriggers.Closed || text.Contains("Because " + DecisionText.Trigger(trigger)), text);
    }

    [Fact]
    public void Should_name_the_owner_held_for_until_when_and_why_the_others_were_passed_over()
    {
        var candidates = """[{"agentId":"anna","source":"owner","verdict":"1/1 open"},{"agentId":"ben","source":"history","verdict":"away since 09:12"},{"agentId":"cleo","source":"pool","verdict":"chosen"}]""";

        var text = DecisionText.Describe(Decision(RoutingTriggers.NewConversation, RoutingOutcomes.Held, RoutingReasons.PreferredBusy, agent: null, candidates),
            new DateTimeOffset(2026, 12, 3, 10, 42, 0, TimeSpan.Zero));

        Assert.Equal("Held for anna, ben until 10:42 UTC: the customer's preferred agents were busy (anna: 1/1 open; ben: away since 09:12).", text);
    }

    [Fact]
    public void Should_say_who_a_conversation_was_taken_from_and_why()
    {
        var text = DecisionText.Describe(Decision(RoutingTriggers.OfflineGrace, RoutingOutcomes.Released, RoutingTriggers.OfflineGrace));

        Assert.Equal("Taken from anna: the agent was offline past the grace period.", text);
    }
}
