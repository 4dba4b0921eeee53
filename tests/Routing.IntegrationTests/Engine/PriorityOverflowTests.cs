using Routing.Contracts;
using Routing.Database;

namespace Routing.IntegrationTests.Engine;

/// <summary>A VIP's conversations are served first; a conversation that waits past its queue time limit overflows to another team.</summary>
public sealed class PriorityOverflowTests : EngineTest
{
    private protected override void Configure(RoutingOptions options)
    {
        options.Overflow["default"] = new OverflowRule { After = TimeSpan.FromMinutes(10), ToTeam = "backup" };
        options.Overflow["billing"] = new OverflowRule { After = TimeSpan.FromMinutes(5), AutoReply = BusyReply };
        options.Overflow["sales"] = new OverflowRule { After = TimeSpan.FromMinutes(5), ToTeam = "backup", AutoReply = BusyReply };
        options.HoldWait["sms"] = TimeSpan.Zero; // no hold for the VIP's previous agent: the queue's order decides
    }

    private const string BusyReply = "All our agents are busy right now; we will answer you as soon as we can.";

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
        Assert.Empty(await Engine.EventsAsync<ConversationAutoReplied>()); // the rule moves it, and says nothing
    }

    [Fact]
    public async Task Should_tell_a_customer_who_waited_past_the_limit_once_under_their_latest_message()
    {
        await Engine.AddAgentAsync("anna", capacity: 1, teams: ["billing"]);
        var billing = new Dictionary<string, string> { ["team"] = "billing" };
        var busy = await Engine.ReceiveAsync("sms", "phone", "+393330000011", "SM-busy", billing);
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393330000012", "SM-wait-1", billing);
        Engine.Clock.Advance(TimeSpan.FromMinutes(1));
        await Engine.ReceiveAsync("sms", "phone", "+393330000012", "SM-wait-2", billing);
        Assert.Equal(("anna", "queued"), (busy.AgentId, waiting.Status));

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(4));

        var told = Assert.Single(await Engine.EventsAsync<ConversationAutoReplied>());
        Assert.Equal((waiting.ConversationId, AutoReplyReasons.QueueOverflow, BusyReply, "SM-wait-2"),
            (told.ConversationId, told.Reason, told.Text, told.ProviderMessageId));
        Assert.Equal(("+393330000012", (DateTimeOffset?)null), (told.Message.Sender.Value, told.OpensAt));
        var receipt = (await Engine.DecisionsAsync(waiting.ConversationId)).Last();
        Assert.Equal((RoutingTriggers.QueueOverflow, RoutingOutcomes.AutoReplied, AutoReplyReasons.QueueOverflow, told.AutoReplyId),
            (receipt.Trigger, receipt.Outcome, receipt.Reason, receipt.Id));
        var still = await Engine.ConversationAsync(waiting.ConversationId);
        Assert.Equal(("queued", "billing"), (still.Status, still.Team)); // no overflow team: it waits for its own

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Single(await Engine.EventsAsync<ConversationAutoReplied>()); // once per wait
    }

    [Fact]
    public async Task Should_not_tell_a_customer_whom_the_overflow_team_took()
    {
        await Engine.AddAgentAsync("anna", capacity: 1, teams: ["sales"]);
        await Engine.AddAgentAsync("bob", teams: ["backup"]);
        await Engine.SetPresenceAsync("bob", AgentPresences.Away);
        var sales = new Dictionary<string, string> { ["team"] = "sales" };
        await Engine.ReceiveAsync("whatsapp", "phone", "393330000021", "wamid.s1", sales);
        var waiting = await Engine.ReceiveAsync("whatsapp", "phone", "393330000022", "wamid.s2", sales);
        await Engine.SetPresenceAsync("bob", AgentPresences.Available); // bob is not in sales: it still waits for anna
        Assert.Equal("queued", (await Engine.ConversationAsync(waiting.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal("bob", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId);
        Assert.Empty(await Engine.EventsAsync<ConversationAutoReplied>());
    }
}
