using Routing.Contracts;

namespace Routing.IntegrationTests.Engine;

public sealed class PreferredRoutingTests : EngineTest
{
    private async Task<Guid> ReturningCustomerAsync(string phone, params string[] owners)
    {
        var first = await Engine.ReceiveAsync("sms", "phone", phone);
        await Engine.CloseAsync(first.ConversationId);
        await Engine.SetOwnersAsync(first.CustomerId, owners);
        return first.CustomerId;
    }

    [Fact]
    public async Task Should_assign_preferred_agent_when_online()
    {
        await Engine.AddAgentAsync("anna");
        await Engine.AddAgentAsync("ben");
        var customer = await ReturningCustomerAsync("+393331234567", "ben");
        Engine.Clock.Advance(TimeSpan.FromHours(1));

        var outcome = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");

        Assert.Equal(customer, outcome.CustomerId);
        Assert.Equal(("open", "ben"), (outcome.Status, outcome.AgentId));
        var decision = (await Engine.DecisionsAsync(outcome.ConversationId)).Single();
        Assert.Equal(("new-conversation", "assigned", "preferred-owner", "ben"), (decision.Trigger, decision.Outcome, decision.Reason, decision.AgentId));
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Last();
        Assert.Equal("preferred-owner", assigned.Receipt.Reason);
        Assert.Contains(assigned.Receipt.Candidates, c => c.AgentId == "ben" && c.Source == "owner" && c.Verdict.StartsWith("chosen", StringComparison.Ordinal));
        Assert.Contains(assigned.CustomerAddresses, a => a.Kind == "phone" && a.Value == "+393331234567");
        Assert.Equal("Hello", Assert.Single(assigned.RecentMessages).Text);
        // The relationship the agent is shown: owners, who handled her (ben now, anna the first time), what she wrote before.
        Assert.Equal(["ben"], assigned.PreferredAgents);
        Assert.Equal(["ben", "anna"], assigned.RelationshipHistory.Select(h => h.AgentId));
        var earlier = Assert.Single(assigned.EarlierMessages);
        Assert.NotEqual(outcome.ConversationId, earlier.ConversationId);
        Assert.Equal(("Hello", "sms"), (earlier.Text, earlier.Channel));
    }

    [Fact]
    public async Task Should_treat_sms_and_whatsapp_of_one_phone_as_one_person_and_keep_the_conversation()
    {
        await Engine.AddAgentAsync("anna");
        var sms = await Engine.ReceiveAsync("sms", "phone", "+39 333 123 4567");

        var whatsapp = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");

        Assert.Equal(sms.CustomerId, whatsapp.CustomerId);
        Assert.Equal(sms.ConversationId, whatsapp.ConversationId);
        Assert.Equal(("open", "anna"), (whatsapp.Status, whatsapp.AgentId));
        var routed = await Engine.EventsAsync<MessageRouted>();
        Assert.Equal(2, routed.Count);
        Assert.All(routed, r => Assert.Equal("anna", r.AgentId));
        Assert.Equal(1, (await Engine.AgentAsync("anna")).OpenCount);
    }

    [Fact]
    public async Task Should_prefer_agents_of_the_last_90_days_after_owners_most_recent_first()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var first = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        Assert.Equal("anna", first.AgentId);
        await Engine.CloseAsync(first.ConversationId);
        await Engine.AddAgentAsync("ben", capacity: 5);
        await Engine.AddAgentAsync("aaron", capacity: 5);

        Engine.Clock.Advance(TimeSpan.FromDays(10));
        var second = await Engine.ReceiveAsync("email", "email", "Maria@Example.com");

        Assert.Equal("anna", second.AgentId);
        Assert.Equal("preferred-history", (await Engine.DecisionsAsync(second.ConversationId)).Single().Reason);
        await Engine.CloseAsync(second.ConversationId);

        Engine.Clock.Advance(TimeSpan.FromDays(91));
        var third = await Engine.ReceiveAsync("email", "email", "maria@example.com");

        Assert.Equal("aaron", third.AgentId); // anna's history is older than 90 days: least loaded, never assigned, then id
        Assert.Equal("fallback", (await Engine.DecisionsAsync(third.ConversationId)).Single().Reason);
    }

    [Fact]
    public async Task Should_hold_for_a_full_owner_then_fall_back_when_the_wait_ends()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var customer = await ReturningCustomerAsync("+393331234567", "anna");
        var other = await Engine.ReceiveAsync("sms", "phone", "+14155552671");
        Assert.Equal("anna", other.AgentId);
        await Engine.AddAgentAsync("ben");

        var held = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");

        Assert.Equal("held", held.Status);
        var conversation = await Engine.ConversationAsync(held.ConversationId);
        Assert.Equal(["anna"], conversation.HeldFor);
        var heldEvent = (await Engine.EventsAsync<ConversationHeld>()).Single();
        Assert.Equal(Engine.Clock.GetUtcNow().AddMinutes(2), heldEvent.HoldUntil);

        await Engine.AdvanceAsync(TimeSpan.FromSeconds(119));
        Assert.Equal("held", (await Engine.ConversationAsync(held.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromSeconds(1));

        conversation = await Engine.ConversationAsync(held.ConversationId);
        Assert.Equal(("open", "ben"), (conversation.Status, conversation.AgentId));
        var decisions = await Engine.DecisionsAsync(held.ConversationId);
        Assert.Equal([("new-conversation", "held"), ("hold-expired", "assigned")], decisions.Select(d => (d.Trigger, d.Outcome)));
        Assert.Equal("fallback", decisions[1].Reason);
        Assert.Contains("1/1 open", decisions[1].Candidates);
        Assert.Equal(customer, conversation.CustomerId);
    }

    [Fact]
    public async Task Should_give_a_held_conversation_to_the_owner_who_frees_a_slot_first()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await ReturningCustomerAsync("+393331234567", "anna");
        var busy = await Engine.ReceiveAsync("sms", "phone", "+14155552671");
        await Engine.AddAgentAsync("ben");
        var held = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");
        Assert.Equal("held", held.Status);

        await Engine.CloseAsync(busy.ConversationId);

        var conversation = await Engine.ConversationAsync(held.ConversationId);
        Assert.Equal(("open", "anna"), (conversation.Status, conversation.AgentId));
        var last = (await Engine.DecisionsAsync(held.ConversationId)).Last();
        Assert.Equal(("slot-freed", "held-for-agent"), (last.Trigger, last.Reason));
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Equal("anna", (await Engine.ConversationAsync(held.ConversationId)).AgentId); // the hold timer was cancelled
    }

    [Fact]
    public async Task Should_hold_email_for_thirty_minutes_for_an_owner_who_is_away()
    {
        await Engine.AddAgentAsync("anna");
        var first = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        await Engine.CloseAsync(first.ConversationId);
        await Engine.SetOwnersAsync(first.CustomerId, "anna");
        await Engine.SetPresenceAsync("anna", AgentPresences.Away);
        await Engine.AddAgentAsync("ben");

        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com");

        Assert.Equal("held", email.Status);
        Assert.Equal(Engine.Clock.GetUtcNow().AddMinutes(30), (await Engine.EventsAsync<ConversationHeld>()).Single().HoldUntil);
        Assert.Contains("away since", (await Engine.DecisionsAsync(email.ConversationId)).Single().Candidates);
    }

    [Fact]
    public async Task Should_fall_back_to_least_loaded_then_longest_idle()
    {
        await Engine.AddAgentAsync("anna", capacity: 3);
        await Engine.AddAgentAsync("ben", capacity: 3);
        var a = await Engine.ReceiveAsync("sms", "phone", "+14155550001");
        Engine.Clock.Advance(TimeSpan.FromSeconds(1));
        var b = await Engine.ReceiveAsync("sms", "phone", "+14155550002");
        Engine.Clock.Advance(TimeSpan.FromSeconds(1));
        var c = await Engine.ReceiveAsync("sms", "phone", "+14155550003");

        Assert.Equal(new[] { "anna", "ben", "anna" }, new[] { a.AgentId, b.AgentId, c.AgentId });
        await Engine.CloseAsync(a.ConversationId); // both now have one open; ben was assigned longest ago
        Engine.Clock.Advance(TimeSpan.FromSeconds(1));

        var d = await Engine.ReceiveAsync("sms", "phone", "+14155550004");

        Assert.Equal("ben", d.AgentId);
    }

    [Fact]
    public async Task Should_not_offer_a_channel_to_an_agent_who_does_not_serve_it()
    {
        await Engine.AddAgentAsync("anna", channels: ["email"]);

        var sms = await Engine.ReceiveAsync("sms", "phone", "+14155550001");

        Assert.Equal("queued", sms.Status);
        var queued = (await Engine.EventsAsync<ConversationQueued>()).Single();
        Assert.Contains("sms", queued.Reason);
    }

    [Fact]
    public async Task Should_match_channel_names_whatever_their_case()
    {
        await Engine.AddAgentAsync("anna", channels: ["whatsapp"]);

        var outcome = await Engine.ReceiveAsync("WhatsApp", "phone", "+393331234567");

        Assert.Equal("anna", outcome.AgentId);
        Assert.Equal("whatsapp", (await Engine.ConversationAsync(outcome.ConversationId)).Channel);
    }

    [Fact]
    public async Task Should_record_each_message_once_however_often_it_arrives()
    {
        await Engine.AddAgentAsync("anna");
        var message = Routing.Testing.TestMessages.Inbound("sms", "phone", "+14155550001", "SM-1", at: Engine.Clock.GetUtcNow());

        var first = await Engine.ReceiveAsync(message);
        var again = await Engine.ReceiveAsync(message);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Engine.ReceiveAsync(message)));

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.All(concurrent, c => Assert.True(c.Duplicate));
        Assert.Single(await Engine.EventsAsync<MessageRouted>());
        Assert.Single(await Engine.EventsAsync<ConversationAssigned>());
        Assert.Equal(1, (await Engine.AgentAsync("anna")).OpenCount);
    }

    [Fact]
    public async Task Should_create_one_customer_when_two_first_messages_race()
    {
        await Engine.AddAgentAsync("anna", capacity: 10);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Engine.ReceiveAsync("whatsapp", "phone", "+393339999999", $"wamid.{i}")));

        Assert.Single(outcomes.Select(o => o.CustomerId).Distinct());
        Assert.Single(outcomes.Select(o => o.ConversationId).Distinct());
        Assert.Equal(1, (await Engine.AgentAsync("anna")).OpenCount);
        Assert.Equal(8, (await Engine.EventsAsync<MessageRouted>()).Count);
    }
}
