using Routing.Contracts;

namespace Routing.IntegrationTests.Engine;

/// <summary>A conversation the customer left silent is closed and frees the slot; a customer who returns soon gets it back, with its agent.</summary>
public sealed class IdleCloseTests : EngineTest
{
    [Fact]
    public async Task Should_close_a_conversation_the_customer_left_silent_and_fill_the_freed_slot()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var silent = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-1");
        Assert.Equal(("anna", "queued"), (silent.AgentId, waiting.Status));
        Engine.Clock.Advance(TimeSpan.FromHours(23));
        await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-2"); // the other customer keeps writing: not silent

        await Engine.AdvanceAsync(TimeSpan.FromHours(1));

        var closed = await Engine.ConversationAsync(silent.ConversationId);
        Assert.Equal(("closed", "routing", CloseReasons.Idle), (closed.Status, closed.ClosedBy, closed.CloseReason));
        Assert.Equal("anna", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId); // the slot went to who waited
        var @event = (await Engine.EventsAsync<ConversationClosed>()).Single();
        Assert.Equal((silent.ConversationId, "anna", CloseReasons.Idle), (@event.ConversationId, @event.AgentId, @event.Reason));
    }

    [Fact]
    public async Task Should_keep_a_conversation_open_while_the_customer_writes_within_the_idle_time()
    {
        await Engine.AddAgentAsync("anna");
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        await Engine.AdvanceAsync(TimeSpan.FromDays(2));
        await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m2@example.com>");

        await Engine.AdvanceAsync(TimeSpan.FromDays(2)); // email's idle time is 3 days, from the last message

        Assert.Equal("open", (await Engine.ConversationAsync(email.ConversationId)).Status);
        await Engine.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("closed", (await Engine.ConversationAsync(email.ConversationId)).Status);
    }

    [Fact]
    public async Task Should_reopen_with_the_same_agent_when_the_customer_returns_within_the_window()
    {
        await Engine.AddAgentAsync("anna");
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben"); // fewer open conversations than anna: the fallback's choice, not the reopening's
        await Engine.AdvanceAsync(TimeSpan.FromHours(24));
        Assert.Equal("closed", (await Engine.ConversationAsync(first.ConversationId)).Status);
        await Engine.SetOwnersAsync(first.CustomerId, "ben"); // an owner named since: the agent who had it still comes first

        Engine.Clock.Advance(TimeSpan.FromHours(5));
        var back = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-2");

        Assert.Equal((first.ConversationId, "anna"), (back.ConversationId, back.AgentId));
        var conversation = await Engine.ConversationAsync(first.ConversationId);
        Assert.Equal(("open", "sms"), (conversation.Status, conversation.Channel));
        var decision = (await Engine.DecisionsAsync(first.ConversationId)).Last();
        Assert.Equal((RoutingTriggers.CustomerReturned, RoutingReasons.PreviousAgent), (decision.Trigger, decision.Reason));
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Last();
        Assert.Equal(2, assigned.RecentMessages.Count); // the agent gets the conversation with what was said before
    }

    [Fact]
    public async Task Should_start_anew_after_the_window_still_preferring_the_agent_who_had_it()
    {
        await Engine.AddAgentAsync("anna");
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben");
        await Engine.AdvanceAsync(TimeSpan.FromHours(24));

        Engine.Clock.Advance(TimeSpan.FromHours(25));
        var later = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.2");

        Assert.NotEqual(first.ConversationId, later.ConversationId);
        Assert.Equal("anna", later.AgentId);
        Assert.Equal(RoutingReasons.PreferredHistory, (await Engine.DecisionsAsync(later.ConversationId)).Single().Reason);
        Assert.Equal("closed", (await Engine.ConversationAsync(first.ConversationId)).Status);
    }

    [Fact]
    public async Task Should_not_reopen_a_conversation_that_was_closed_by_its_agent()
    {
        await Engine.AddAgentAsync("anna");
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.CloseAsync(first.ConversationId);

        var again = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.2");

        Assert.NotEqual(first.ConversationId, again.ConversationId);
    }
}
