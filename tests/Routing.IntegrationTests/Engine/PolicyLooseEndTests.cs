using Routing.Database;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.Contracts;
using Routing.Observability;
using Routing.Policy;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>Holds that end when no one is left to wait for, receipts that name everyone, exclusions that lapse, the customer's latest channel.</summary>
public sealed class PolicyLooseEndTests : EngineTest
{
    [Fact]
    public async Task Should_end_a_hold_at_once_when_the_owner_it_waits_for_goes_offline()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("ben", capacity: 1, presence: AgentPresences.Away);
        var first = await Engine.ReceiveAsync("email", "email", "other@example.com", "<o1@example.com>"); // fills anna
        var customer = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m0@example.com>");
        await Engine.CloseAsync(customer.ConversationId);
        await Engine.SetOwnersAsync(customer.CustomerId, "anna");
        await Engine.SetPresenceAsync("ben", AgentPresences.Available);
        var other = await Engine.ReceiveAsync("email", "email", "third@example.com", "<t1@example.com>"); // fills ben
        Assert.Equal(("anna", "ben"), (first.AgentId, other.AgentId));

        var held = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        Assert.Equal("held", held.Status); // for anna, for the email's 30 minutes

        await Engine.SetPresenceAsync("anna", AgentPresences.Offline);
        await Engine.AdvanceAsync(TimeSpan.FromSeconds(1));

        var conversation = await Engine.ConversationAsync(held.ConversationId);
        Assert.Equal("queued", conversation.Status); // no one has room: queued now, not in 30 minutes
        var decision = (await Engine.DecisionsAsync(held.ConversationId)).Last();
        Assert.Equal((RoutingTriggers.HeldAgentsUnavailable, RoutingOutcomes.Queued), (decision.Trigger, decision.Outcome));
    }

    [Fact]
    public async Task Should_hold_again_for_the_owners_after_a_release()
    {
        await Engine.AddAgentAsync("anna", capacity: 1, requiresAccept: true);
        await Engine.AddAgentAsync("ben", capacity: 1);
        var customer = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-0");
        await Engine.CloseAsync(customer.ConversationId);
        await Engine.SetOwnersAsync(customer.CustomerId, "anna", "ben");
        var busy = await Engine.ReceiveAsync("sms", "phone", "+393330000001", "SM-x"); // ben takes another customer
        Assert.Equal("ben", busy.AgentId);
        var filler = await Engine.ReceiveAsync("sms", "phone", "+393330000002", "SM-y");
        Assert.Equal("anna", filler.AgentId);

        var held = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        Assert.Equal("held", held.Status);
        await Engine.CloseAsync(filler.ConversationId); // anna frees a slot: offered to her
        Assert.Equal("anna", (await Engine.ConversationAsync(held.ConversationId)).AgentId);

        await Engine.Commands.DeclineAsync(held.ConversationId, "anna", RoutingTriggers.OfferDeclined, CancellationToken.None, "not my language");

        // ben, the other owner, is busy: a new wait, so held again (it used to fall back, the conversation having been held once).
        var conversation = await Engine.ConversationAsync(held.ConversationId);
        Assert.Equal("held", conversation.Status);
        Assert.Equal(["ben"], conversation.HeldFor);
        var decisions = await Engine.DecisionsAsync(held.ConversationId);
        var released = decisions.Single(d => d.Outcome == RoutingOutcomes.Released);
        Assert.Equal("declined the offer: not my language", Verdicts(released).Single().Verdict);
    }

    [Fact]
    public async Task Should_name_who_was_away_or_full_in_a_queued_decision()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("ben", presence: AgentPresences.Away);
        await Engine.AddAgentAsync("carl", channels: ["email"]);
        await Engine.ReceiveAsync("sms", "phone", "+393330000001", "SM-x"); // fills anna

        var queued = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");

        Assert.Equal("queued", queued.Status);
        var verdicts = Verdicts((await Engine.DecisionsAsync(queued.ConversationId)).Single());
        Assert.Equal(["anna", "ben"], verdicts.Select(v => v.AgentId)); // nearest to serving first; carl does not serve sms
        Assert.Equal("1/1 open", verdicts[0].Verdict);
        Assert.StartsWith("away since ", verdicts[1].Verdict);
    }

    [Fact]
    public async Task Should_offer_a_declined_conversation_again_once_the_exclusion_lapses()
    {
        await Engine.AddAgentAsync("anna", requiresAccept: true);
        var offered = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        await Engine.Commands.DeclineAsync(offered.ConversationId, "anna", RoutingTriggers.OfferDeclined, CancellationToken.None);
        Assert.Equal("queued", (await Engine.ConversationAsync(offered.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(29));
        Assert.Equal("queued", (await Engine.ConversationAsync(offered.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(1));
        var conversation = await Engine.ConversationAsync(offered.ConversationId);
        Assert.Equal(("open", "anna"), (conversation.Status, conversation.AgentId));
        Assert.Equal(["anna"], conversation.ExcludedAgents); // the record of who declined stays
    }

    [Fact]
    public async Task Should_route_again_on_the_channel_the_customer_wrote_on_last()
    {
        await Engine.AddAgentAsync("anna", channels: ["email"]);
        await Engine.AddAgentAsync("ben", channels: ["whatsapp"]);
        var started = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        Assert.Equal("anna", started.AgentId);
        await MergePhoneIntoAsync(started.CustomerId);
        var moved = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        Assert.Equal((started.ConversationId, "anna"), (moved.ConversationId, moved.AgentId)); // sticky

        await Engine.SetPresenceAsync("anna", AgentPresences.Offline);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(10));

        var conversation = await Engine.ConversationAsync(started.ConversationId);
        Assert.Equal(("open", "ben", "whatsapp"), (conversation.Status, conversation.AgentId, conversation.Channel));
    }

    [Fact]
    public async Task Should_count_each_conversation_once_in_the_hit_rate_where_it_finally_went()
    {
        using var recorder = new InstrumentRecorder(Engine.Services.GetRequiredService<IMeterFactory>(), RoutingMetrics.MeterName);
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("ben", capacity: 1);
        var maria = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-0");
        var paolo = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-p0");
        Assert.Equal(("anna", "ben"), (maria.AgentId, paolo.AgentId)); // first contacts: no preferred set, not counted
        await Engine.CloseAsync(maria.ConversationId);
        await Engine.CloseAsync(paolo.ConversationId);
        var filler = await Engine.ReceiveAsync("sms", "phone", "+393330000001", "SM-x"); // anna (least recent) is busy
        Assert.Equal("anna", filler.AgentId);

        // maria's history is anna: held for her, then anna frees the slot: a hit, though not decided at once.
        var held = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        Assert.Equal("held", held.Status);
        await Engine.CloseAsync(filler.ConversationId);
        Assert.Equal("anna", (await Engine.ConversationAsync(held.ConversationId)).AgentId);

        // paolo's history is ben, busy now with a new customer: held, and the hold ends: fallback to anna? anna is full too, so queued;
        // ben frees first: the queue gives paolo to ben, a hit.
        var other = await Engine.ReceiveAsync("sms", "phone", "+393330000002", "SM-y");
        Assert.Equal("ben", other.AgentId);
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-p1");
        Assert.Equal("held", waiting.Status);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal("queued", (await Engine.ConversationAsync(waiting.ConversationId)).Status);
        await Engine.CloseAsync(other.ConversationId);
        Assert.Equal("ben", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId);

        // maria again, anna busy with her own; ben free: held for anna, the hold ends, ben takes it: a miss.
        await Engine.CloseAsync(waiting.ConversationId);
        var third = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-2");
        Assert.Equal(held.ConversationId, third.ConversationId); // still her open conversation with anna: no new count
        await Engine.CloseAsync(held.ConversationId);
        var filler2 = await Engine.ReceiveAsync("sms", "phone", "+393330000003", "SM-z");
        Assert.Equal("anna", filler2.AgentId);
        var missed = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-3");
        Assert.Equal("held", missed.Status);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal("ben", (await Engine.ConversationAsync(missed.ConversationId)).AgentId);

        Assert.Equal(3, recorder.Of("routing.preferred.eligible").Sum(m => m.Value));
        Assert.Equal(2, recorder.Of("routing.preferred.hits").Sum(m => m.Value));
        await using var tx = await Engine.Db.BeginAsync(CancellationToken.None);
        var now = Engine.Clock.GetUtcNow();
        var report = await ServiceLevelStore.ReportAsync(tx, now.AddDays(-1), now.AddDays(1), null, null, new Dictionary<string, TimeSpan>(), TimeSpan.FromMinutes(15),
            CancellationToken.None);
        Assert.Equal((3L, 2L), (report.Single(r => r.Total).PreferredEligible, report.Single(r => r.Total).PreferredHits)); // the report agrees
    }

    private async Task MergePhoneIntoAsync(Guid customerId)
    {
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-merge");
        await Engine.CloseAsync(phone.ConversationId);
        await Engine.MergeAsync(customerId, phone.CustomerId);
    }

    private static IReadOnlyList<CandidateVerdict> Verdicts(Routing.Database.DecisionRow decision) =>
        JsonSerializer.Deserialize<List<CandidateVerdict>>(decision.Candidates, Routing.Outbox.ContractTypes.Json)!;
}
