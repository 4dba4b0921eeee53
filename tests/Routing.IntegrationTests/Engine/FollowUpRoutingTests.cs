using Routing.Contracts;
using Routing.Database;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// A customer answering an agent's follow-up (FollowUpSent) goes to that agent first, before their owners and the agents
/// who served them later, and only within the answer window; a busy follow-up agent holds them like any preferred agent.
/// </summary>
public sealed class FollowUpRoutingTests : EngineTest
{
    private async Task FollowedUpAsync(Guid customerId, Guid conversationId, string agentId, TimeSpan answerWithin)
    {
        await using var tx = await Engine.Db.BeginAsync(CancellationToken.None);
        var now = Engine.Clock.GetUtcNow();
        Assert.True(await FollowUpStore.RecordAsync(tx, new FollowUpSent
        {
            FollowUpId = Guid.NewGuid(), ConversationId = conversationId, CustomerId = customerId, AgentId = agentId, Channel = "whatsapp",
            SentAt = now, AnswerBy = now + answerWithin,
        }, CancellationToken.None));
        await tx.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Should_offer_the_answer_to_a_follow_up_to_its_agent_before_the_owner()
    {
        await Engine.AddAgentAsync("anna", capacity: 2);
        await Engine.AddAgentAsync("ben", capacity: 2);
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393330000101", "wamid.f1");
        Assert.Equal("anna", first.AgentId);
        await Engine.CloseAsync(first.ConversationId);
        await Engine.SetOwnersAsync(first.CustomerId, "ben");
        await FollowedUpAsync(first.CustomerId, first.ConversationId, "anna", TimeSpan.FromDays(7));
        Engine.Clock.Advance(TimeSpan.FromDays(3));

        var answer = await Engine.ReceiveAsync("whatsapp", "phone", "393330000101", "wamid.f2");

        Assert.NotEqual(first.ConversationId, answer.ConversationId);
        Assert.Equal("anna", answer.AgentId);
        var receipt = (await Engine.DecisionsAsync(answer.ConversationId)).Last();
        Assert.Equal(RoutingReasons.FollowUpAgent, receipt.Reason);
    }

    [Fact]
    public async Task Should_forget_the_follow_up_once_its_answer_window_ended()
    {
        await Engine.AddAgentAsync("anna", capacity: 2);
        await Engine.AddAgentAsync("ben", capacity: 2);
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393330000102", "wamid.g1");
        await Engine.CloseAsync(first.ConversationId);
        await Engine.SetOwnersAsync(first.CustomerId, "ben");
        await FollowedUpAsync(first.CustomerId, first.ConversationId, "anna", TimeSpan.FromDays(7));
        Engine.Clock.Advance(TimeSpan.FromDays(8));

        var later = await Engine.ReceiveAsync("whatsapp", "phone", "393330000102", "wamid.g2");

        Assert.Equal("ben", later.AgentId);
        Assert.Equal(RoutingReasons.PreferredOwner, (await Engine.DecisionsAsync(later.ConversationId)).Last().Reason);
    }
}
