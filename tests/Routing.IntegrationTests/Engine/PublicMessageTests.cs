using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// A public message (a mention on X, a comment under a Page post) is read by everyone while it waits: it starts with public's
/// priority, raises a waiting conversation it joins, is held for a busy preferred agent only public's short wait, and says
/// it is public where agents read it.
/// </summary>
public sealed class PublicMessageTests : EngineTest
{
    private protected override void Configure(RoutingOptions options)
    {
        options.Public.Priority = 40;
        options.Public.HoldWait = TimeSpan.FromSeconds(30);
        options.HoldWait["twitter"] = TimeSpan.FromMinutes(2);
    }

    private InboundMessageReceived Mention(string user, string tweetId) =>
        TestMessages.Inbound("twitter", "twitter", user, tweetId, at: Engine.Clock.GetUtcNow()) with
        {
            Visibility = MessageVisibility.Public,
            Post = new PublicPost { PostId = tweetId, Permalink = $"https://x.com/someone/status/{tweetId}", Kind = "mention" },
            ThreadKey = tweetId,
        };

    [Fact]
    public async Task Should_serve_a_public_mention_before_private_messages_that_waited_longer()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var busy = await Engine.ReceiveAsync("twitter", "twitter", "1001", "dm-1");
        var waitingDm = await Engine.ReceiveAsync("twitter", "twitter", "1002", "dm-2");
        Engine.Clock.Advance(TimeSpan.FromMinutes(1));
        var mention = await Engine.ReceiveAsync(Mention("1003", "1991543210987654321"));
        Assert.Equal(("anna", "queued", "queued"), (busy.AgentId, waitingDm.Status, mention.Status));
        var stored = await Engine.ConversationAsync(mention.ConversationId);
        Assert.Equal((40, MessageVisibility.Public), (stored.Priority, stored.Visibility));

        await Engine.CloseAsync(busy.ConversationId);

        Assert.Equal("anna", (await Engine.ConversationAsync(mention.ConversationId)).AgentId);
        Assert.Equal("queued", (await Engine.ConversationAsync(waitingDm.ConversationId)).Status);
        var routed = (await Engine.EventsAsync<MessageRouted>()).Single(m => m.MessageId == MessageIds.ForInbound("twitter", "1991543210987654321"));
        Assert.Equal((MessageVisibility.Public, "1991543210987654321"), (routed.Visibility, routed.Post?.PostId));
    }

    [Fact]
    public async Task Should_raise_a_waiting_conversation_that_a_public_message_joins()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.ReceiveAsync("twitter", "twitter", "2001", "dm-busy");
        var early = await Engine.ReceiveAsync("twitter", "twitter", "2002", "dm-early");
        var late = await Engine.ReceiveAsync("twitter", "twitter", "2003", "dm-late");
        Assert.Equal(0, (await Engine.ConversationAsync(late.ConversationId)).Priority);

        var joined = await Engine.ReceiveAsync(Mention("2003", "1991543210987650001"));

        Assert.Equal(late.ConversationId, joined.ConversationId);
        var raised = await Engine.ConversationAsync(late.ConversationId);
        Assert.Equal((40, MessageVisibility.Public), (raised.Priority, raised.Visibility));
        Assert.Equal(0, (await Engine.ConversationAsync(early.ConversationId)).Priority);
    }

    [Fact]
    public async Task Should_hold_a_public_message_for_its_busy_preferred_agent_only_publics_wait()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("ben", capacity: 1, presence: AgentPresences.Away);
        var first = await Engine.ReceiveAsync("twitter", "twitter", "3001", "dm-3001");
        await Engine.CloseAsync(first.ConversationId); // anna served them: she is their preferred agent by history
        await Engine.ReceiveAsync("twitter", "twitter", "3002", "dm-3002"); // anna is busy now
        await Engine.SetPresenceAsync("ben", AgentPresences.Available);
        await Engine.ReceiveAsync("twitter", "twitter", "3003", "dm-3003"); // ben too

        await Engine.AddAgentAsync("cleo", capacity: 1);
        var mention = await Engine.ReceiveAsync(Mention("3001", "1991543210987650002"));
        Assert.Equal("held", mention.Status);
        Assert.Equal(Engine.Clock.GetUtcNow().AddSeconds(30).UtcDateTime, (await Engine.ConversationAsync(mention.ConversationId)).HoldUntil);

        await Engine.AdvanceAsync(TimeSpan.FromSeconds(31));

        Assert.Equal("cleo", (await Engine.ConversationAsync(mention.ConversationId)).AgentId);
    }
}
