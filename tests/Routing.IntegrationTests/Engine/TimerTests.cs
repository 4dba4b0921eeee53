using Routing.Contracts;

namespace Routing.IntegrationTests.Engine;

public sealed class TimerTests : EngineTest
{
    [Fact]
    public async Task Should_release_and_reroute_after_the_offline_grace_period()
    {
        await Engine.AddAgentAsync("anna");
        var outcome = await Engine.ReceiveAsync("whatsapp", "phone", "+393331234567");
        Assert.Equal("anna", outcome.AgentId);
        await Engine.AddAgentAsync("ben");
        await Engine.SetPresenceAsync("anna", AgentPresences.Offline);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(9));
        Assert.Equal("anna", (await Engine.ConversationAsync(outcome.ConversationId)).AgentId);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(1));

        var conversation = await Engine.ConversationAsync(outcome.ConversationId);
        Assert.Equal(("open", "ben"), (conversation.Status, conversation.AgentId));
        var released = (await Engine.EventsAsync<ConversationReleased>()).Single();
        Assert.Equal(("anna", "offline-grace"), (released.AgentId, released.Reason));
        var decisions = await Engine.DecisionsAsync(outcome.ConversationId);
        Assert.Equal(["assigned", "released", "assigned"], decisions.Select(d => d.Outcome));
        Assert.Equal("offline-grace", decisions[2].Trigger);
        Assert.Equal(0, (await Engine.AgentAsync("anna")).OpenCount);
    }

    [Fact]
    public async Task Should_keep_the_conversation_when_the_agent_returns_within_the_grace_period()
    {
        await Engine.AddAgentAsync("anna");
        var outcome = await Engine.ReceiveAsync("sms", "phone", "+393331234567");
        await Engine.AddAgentAsync("ben");
        await Engine.SetPresenceAsync("anna", AgentPresences.Offline);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(5));
        await Engine.SetPresenceAsync("anna", AgentPresences.Available);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(30));

        Assert.Equal("anna", (await Engine.ConversationAsync(outcome.ConversationId)).AgentId);
        Assert.Empty(await Engine.EventsAsync<ConversationReleased>());
    }

    [Fact]
    public async Task Should_release_on_the_next_message_when_the_agent_is_offline_past_grace_before_the_sweep()
    {
        await Engine.AddAgentAsync("anna");
        var first = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        await Engine.AddAgentAsync("ben");
        await Engine.SetPresenceAsync("anna", AgentPresences.Offline);
        Engine.Clock.Advance(TimeSpan.FromMinutes(11)); // no sweep has run yet

        var next = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.2");

        Assert.Equal(first.ConversationId, next.ConversationId);
        Assert.Equal("ben", next.AgentId);
        Assert.Equal("ben", (await Engine.EventsAsync<MessageRouted>()).Last().AgentId);
    }

    [Fact]
    public async Task Should_route_again_without_an_agent_who_declines_an_offer()
    {
        await Engine.AddAgentAsync("anna", requiresAccept: true);
        var outcome = await Engine.ReceiveAsync("facebook", "facebook", "1254459154682919");
        var offer = (await Engine.EventsAsync<ConversationAssigned>()).Single();
        Assert.True(offer.RequiresAccept);
        Assert.Equal(Engine.Clock.GetUtcNow().AddMinutes(2), offer.OfferExpiresAt);
        await Engine.AddAgentAsync("ben");

        await Engine.Commands.DeclineAsync(outcome.ConversationId, "anna", "offer-declined", CancellationToken.None);

        var conversation = await Engine.ConversationAsync(outcome.ConversationId);
        Assert.Equal(("open", "ben"), (conversation.Status, conversation.AgentId));
        Assert.Equal(["anna"], conversation.ExcludedAgents);
        Assert.Equal("offer-declined", (await Engine.EventsAsync<ConversationReleased>()).Single().Reason);
        Assert.Equal(0, (await Engine.AgentAsync("anna")).OpenCount);
    }

    [Fact]
    public async Task Should_route_again_when_an_offer_expires_and_keep_an_accepted_one()
    {
        await Engine.AddAgentAsync("anna", capacity: 1, requiresAccept: true);
        var expiring = await Engine.ReceiveAsync("twitter", "twitter", "783214");
        await Engine.AddAgentAsync("ben", capacity: 1, requiresAccept: true);
        var accepted = await Engine.ReceiveAsync("twitter", "twitter", "999999");
        Assert.Equal("ben", accepted.AgentId);
        await Engine.Commands.AcceptAsync(accepted.ConversationId, "ben", CancellationToken.None);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(2));

        var expired = await Engine.ConversationAsync(expiring.ConversationId);
        Assert.Equal("queued", expired.Status); // anna let it expire; ben is full
        Assert.Equal(["anna"], expired.ExcludedAgents);
        Assert.Equal("offer-expired", (await Engine.DecisionsAsync(expiring.ConversationId)).Last().Trigger);
        var kept = await Engine.ConversationAsync(accepted.ConversationId);
        Assert.Equal(("open", "ben"), (kept.Status, kept.AgentId));
        Assert.NotNull(kept.AcceptedAt);

        await Engine.CloseAsync(accepted.ConversationId);

        Assert.Equal("ben", (await Engine.ConversationAsync(expiring.ConversationId)).AgentId);
    }
}
