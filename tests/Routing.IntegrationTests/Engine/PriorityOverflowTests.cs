using Routing.Contracts;
using Routing.Database;

namespace Routing.IntegrationTests.Engine;

/// <summary>A VIP's conversations are served first; a conversation that waits past its queue time limit overflows to another team.</summary>
public sealed class PriorityOverflowTests : EngineTest
{
    private protected override void Configure(RoutingOptions options)
    {
        options.Overflow["default"] = new OverflowRule { After = TimeSpan.FromMinutes(10), ToTeam = "backup" };
        options.HoldWait["sms"] = TimeSpan.Zero; // no hold for the VIP's previous agent: the queue's order decides
    }

    private async Task SetPriorityAsync(Guid customerId, int priority)
    {
        await using var tx = await Engine.Db.BeginAsync(CancellationToken.None);
        Assert.Equal(1, await CustomerStore.SetPriorityAsync(tx.Connection, tx.Transaction, customerId, priority, CancellationToken.None));
        await tx.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Should_serve_a_vips_conversation_before_those_that_waited_longer()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var vip = await Engine.ReceiveAsync("sms", "phone", "+393331111111", "SM-vip-1");
        await Engine.CloseAsync(vip.ConversationId);
        await SetPriorityAsync(vip.CustomerId, 10);
        var busy = await Engine.ReceiveAsync("sms", "phone", "+393332222222", "SM-busy");
        var ordinary = await Engine.ReceiveAsync("sms", "phone", "+393333333333", "SM-ordinary");
        Engine.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await Engine.ReceiveAsync("sms", "phone", "+393331111111", "SM-vip-2");
        Assert.Equal(("anna", "queued", "queued"), (busy.AgentId, ordinary.Status, again.Status));
        Assert.Equal(10, (await Engine.ConversationAsync(again.ConversationId)).Priority);

        await Engine.CloseAsync(busy.ConversationId);

        Assert.Equal("anna", (await Engine.ConversationAsync(again.ConversationId)).AgentId);
        Assert.Equal("queued", (await Engine.ConversationAsync(ordinary.ConversationId)).Status);
    }

    [Fact]
    public async Task Should_move_a_conversation_past_its_queue_time_limit_to_the_overflow_team_once()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("bob", teams: ["backup"], presence: AgentPresences.Away);
        var busy = await Engine.ReceiveAsync("whatsapp", "phone", "393330000001", "wamid.busy");
        var waiting = await Engine.ReceiveAsync("whatsapp", "phone", "393330000002", "wamid.wait");
        Assert.Equal("queued", waiting.Status);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(10));

        var overflowed = await Engine.ConversationAsync(waiting.ConversationId);
        Assert.Equal(("queued", "backup"), (overflowed.Status, overflowed.Team));
        var decision = (await Engine.DecisionsAsync(waiting.ConversationId)).Last();
        Assert.Equal((RoutingTriggers.QueueOverflow, RoutingOutcomes.Queued), (decision.Trigger, decision.Outcome));
        await Engine.CloseAsync(busy.ConversationId); // anna is free, but not in the overflow team
        Assert.Equal("queued", (await Engine.ConversationAsync(waiting.ConversationId)).Status);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(10)); // once per wait: no second overflow

        await Engine.SetPresenceAsync("bob", AgentPresences.Available);

        Assert.Equal("bob", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId);
        Assert.Single(await Engine.DecisionsAsync(waiting.ConversationId), d => d.Trigger == RoutingTriggers.QueueOverflow);
    }
}
