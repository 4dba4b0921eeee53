using Routing.Database;
using Routing.Contracts;
using Routing.Assignment;

namespace Routing.IntegrationTests.Engine;

/// <summary>Agents and operators move conversations to another agent or a team, cold or warm, and the receipts say who moved it and why.</summary>
public sealed class TransferTests : EngineTest
{
    [Fact]
    public async Task Should_move_a_conversation_cold_to_the_named_agent_with_the_senders_note()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-1"); // waits for anna's slot
        await Engine.AddAgentAsync("ben", capacity: 1, presence: AgentPresences.Away);
        await Engine.SetPresenceAsync("ben", AgentPresences.Available);
        Assert.Equal(("anna", "ben"), (routed.AgentId, (await Engine.ConversationAsync(waiting.ConversationId)).AgentId));
        await Engine.AddAgentAsync("carl", capacity: 1);

        var result = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "carl", note: "wants a refund, order 1234");

        Assert.Equal(TransferStatus.Done, result.Status);
        var moved = await Engine.ConversationAsync(routed.ConversationId);
        Assert.Equal(("open", "carl"), (moved.Status, moved.AgentId));
        Assert.Contains("anna", moved.ExcludedAt(Engine.Clock.GetUtcNow())); // who passed it on is not offered it back at once
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Last();
        Assert.Equal(("carl", "anna", "wants a refund, order 1234"), (assigned.AgentId, assigned.TransferredBy, assigned.TransferNote));
        Assert.Equal((RoutingTriggers.Transferred, RoutingReasons.Transfer), (assigned.Receipt.Trigger, assigned.Receipt.Reason));
        Assert.Single(assigned.RecentMessages); // the customer's context goes along
        var released = (await Engine.EventsAsync<ConversationReleased>()).Single();
        Assert.Equal(("anna", RoutingTriggers.Transferred), (released.AgentId, released.Reason));
        var ended = (await Engine.EventsAsync<ConversationTransferEnded>()).Single();
        Assert.Equal((TransferOutcomes.Done, "carl", false), (ended.Outcome, ended.ToAgentId, ended.Warm));
        var decisions = await Engine.DecisionsAsync(routed.ConversationId);
        Assert.Contains(decisions, d => d.Outcome == RoutingOutcomes.Released && d.Candidates.Contains("transferred it to carl: wants a refund"));
        Assert.Equal(0, (await Engine.AgentAsync("anna")).OpenCount); // nothing else waits: anna's freed slot stays free
    }

    [Fact]
    public async Task Should_refuse_a_transfer_to_an_agent_who_cannot_take_it_and_leave_the_conversation_where_it_was()
    {
        await Engine.AddAgentAsync("anna");
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben", presence: AgentPresences.Away);
        await Engine.AddAgentAsync("carl", channels: ["email"]);

        var away = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben");
        var wrongChannel = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "carl");
        var nobody = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "dora");
        var notHers = await Engine.TransferAsync(routed.ConversationId, "ben", toAgent: "anna");
        var noTeam = await Engine.TransferAsync(routed.ConversationId, "anna", toTeam: "billing");

        Assert.All([away, wrongChannel, nobody, notHers, noTeam], r => Assert.Equal(TransferStatus.Refused, r.Status));
        Assert.StartsWith("ben cannot take it now: away since", away.Reason);
        Assert.Equal("carl cannot take it now: does not serve whatsapp", wrongChannel.Reason);
        Assert.Equal("there is no agent dora", nobody.Reason);
        Assert.Equal("the conversation is anna's, not ben's", notHers.Reason);
        Assert.Equal("no agent is in team billing", noTeam.Reason);
        var conversation = await Engine.ConversationAsync(routed.ConversationId);
        Assert.Equal(("open", "anna"), (conversation.Status, conversation.AgentId));
        Assert.Empty(await Engine.EventsAsync<ConversationReleased>());
        var ended = await Engine.EventsAsync<ConversationTransferEnded>();
        Assert.Equal(5, ended.Count(e => e.Outcome == TransferOutcomes.Refused));
        Assert.Equal(5, (await Engine.DecisionsAsync(routed.ConversationId)).Count(d => d.Outcome == RoutingOutcomes.TransferEnded));
    }

    [Fact]
    public async Task Should_treat_the_same_transfer_id_again_as_the_same_transfer()
    {
        await Engine.AddAgentAsync("anna");
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben");
        var id = Guid.NewGuid();

        var first = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", transferId: id);
        var again = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", transferId: id);

        Assert.Equal((TransferStatus.Done, TransferStatus.Repeated, TransferOutcomes.Done), (first.Status, again.Status, again.Outcome));
        Assert.Single(await Engine.EventsAsync<ConversationTransferEnded>());
        Assert.Equal("ben", (await Engine.ConversationAsync(routed.ConversationId)).AgentId);
    }

    [Fact]
    public async Task Should_give_a_team_transfer_to_the_customers_preferred_agent_in_the_team_then_to_its_least_loaded_member()
    {
        await Engine.AddAgentAsync("anna");
        await Engine.AddAgentAsync("zoe", teams: ["billing"]); // the customer's owner, in the team
        await Engine.AddAgentAsync("yann", teams: ["billing"]);
        await Engine.AddAgentAsync("xavi"); // not in the team: never chosen for it, however idle
        var first = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        var second = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-1");
        Assert.Equal(("anna", "xavi"), (first.AgentId, second.AgentId)); // the fallback's least loaded first, before the owner is set
        await Engine.SetOwnersAsync(first.CustomerId, "zoe");

        await Engine.TransferAsync(first.ConversationId, "anna", toTeam: "billing", note: "invoice question");
        await Engine.TransferAsync(second.ConversationId, "xavi", toTeam: "billing");

        var toOwner = await Engine.ConversationAsync(first.ConversationId);
        Assert.Equal(("zoe", "billing"), (toOwner.AgentId, toOwner.Team));
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Where(a => a.ConversationId == first.ConversationId).Last();
        Assert.Equal((RoutingTriggers.Transferred, RoutingReasons.PreferredOwner, "anna", "invoice question"),
            (assigned.Receipt.Trigger, assigned.Receipt.Reason, assigned.TransferredBy, assigned.TransferNote));
        var toMember = await Engine.ConversationAsync(second.ConversationId);
        Assert.Equal("yann", toMember.AgentId); // least loaded of the team (zoe has one now)
        var receipt = (await Engine.DecisionsAsync(second.ConversationId)).Last(d => d.Outcome == RoutingOutcomes.Assigned);
        Assert.Equal(RoutingReasons.Fallback, receipt.Reason);
        Assert.DoesNotContain("\"anna\"", receipt.Candidates); // only the team's members are considered
    }

    [Fact]
    public async Task Should_queue_a_team_transfer_for_the_team_until_one_of_its_members_has_room()
    {
        await Engine.AddAgentAsync("anna", capacity: 3);
        await Engine.AddAgentAsync("zoe", capacity: 1, teams: ["billing"], presence: AgentPresences.Away);
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");

        await Engine.TransferAsync(routed.ConversationId, "anna", toTeam: "billing");

        var queued = await Engine.ConversationAsync(routed.ConversationId);
        Assert.Equal(("queued", null, "billing"), (queued.Status, queued.AgentId, queued.Team));
        var @event = (await Engine.EventsAsync<ConversationQueued>()).Single();
        Assert.Equal("no available agent (whatsapp, team billing) has a free slot", @event.Reason);
        await Engine.AddAgentAsync("xavi"); // free, but not in the team
        Assert.Equal("queued", (await Engine.ConversationAsync(routed.ConversationId)).Status);

        await Engine.SetPresenceAsync("zoe", AgentPresences.Available);

        Assert.Equal("zoe", (await Engine.ConversationAsync(routed.ConversationId)).AgentId);
    }

    [Fact]
    public async Task Should_offer_a_warm_transfer_first_and_move_the_conversation_only_when_accepted()
    {
        await Engine.AddAgentAsync("anna");
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben", requiresAccept: true);

        var offered = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", warm: true, note: "Spanish speaker");

        Assert.Equal(TransferStatus.Offered, offered.Status);
        Assert.Equal("anna", (await Engine.ConversationAsync(routed.ConversationId)).AgentId); // anna keeps it meanwhile
        var offer = (await Engine.EventsAsync<ConversationTransferOffered>()).Single();
        Assert.Equal(("anna", "ben", "Spanish speaker", 1), (offer.FromAgentId, offer.ToAgentId, offer.Note, offer.RecentMessages.Count));
        var again = await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben");
        Assert.Equal(TransferStatus.Refused, again.Status); // one transfer at a time

        var answer = await Engine.Transfers.AnswerAsync(offer.TransferId, "ben", accepted: true, null, CancellationToken.None);

        Assert.Equal(TransferStatus.Done, answer.Status);
        var moved = await Engine.ConversationAsync(routed.ConversationId);
        Assert.Equal(("open", "ben"), (moved.Status, moved.AgentId));
        Assert.NotNull(moved.AcceptedAt); // ben accepted the transfer: not offered it a second time
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Last();
        Assert.Equal(("ben", false, "anna"), (assigned.AgentId, assigned.RequiresAccept, assigned.TransferredBy));
        Assert.Equal((0, 1), ((await Engine.AgentAsync("anna")).OpenCount, (await Engine.AgentAsync("ben")).OpenCount));
        Assert.Equal([TransferOutcomes.Refused, TransferOutcomes.Done], (await Engine.EventsAsync<ConversationTransferEnded>()).Select(e => e.Outcome));
    }

    [Fact]
    public async Task Should_leave_the_conversation_with_its_agent_when_a_warm_transfer_is_declined_or_expires()
    {
        await Engine.AddAgentAsync("anna");
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben");
        await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", warm: true);
        var offer = (await Engine.EventsAsync<ConversationTransferOffered>()).Single();

        var declined = await Engine.Transfers.AnswerAsync(offer.TransferId, "ben", accepted: false, "on a call", CancellationToken.None);
        var late = await Engine.Transfers.AnswerAsync(offer.TransferId, "ben", accepted: true, null, CancellationToken.None);

        Assert.Equal((TransferStatus.Ended, TransferStatus.Stale), (declined.Status, late.Status));
        Assert.Equal("ben declined: on a call", (await Engine.EventsAsync<ConversationTransferEnded>()).Single().Reason);
        Assert.Equal("anna", (await Engine.ConversationAsync(routed.ConversationId)).AgentId);

        await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", warm: true);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(2)); // Routing:OfferTimeout

        var expired = (await Engine.EventsAsync<ConversationTransferEnded>()).Last();
        Assert.Equal((TransferOutcomes.Expired, "ben did not answer in time"), (expired.Outcome, expired.Reason));
        Assert.Equal("anna", (await Engine.ConversationAsync(routed.ConversationId)).AgentId);
        Assert.Equal(0, (await Engine.AgentAsync("ben")).OpenCount);
    }

    [Fact]
    public async Task Should_call_off_a_warm_transfer_when_the_conversation_closes_meanwhile()
    {
        await Engine.AddAgentAsync("anna");
        var routed = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        await Engine.AddAgentAsync("ben");
        await Engine.TransferAsync(routed.ConversationId, "anna", toAgent: "ben", warm: true);
        var offer = (await Engine.EventsAsync<ConversationTransferOffered>()).Single();

        await Engine.CloseAsync(routed.ConversationId);
        var late = await Engine.Transfers.AnswerAsync(offer.TransferId, "ben", accepted: true, null, CancellationToken.None);

        Assert.Equal(TransferStatus.Stale, late.Status);
        var ended = (await Engine.EventsAsync<ConversationTransferEnded>()).Single();
        Assert.Equal((TransferOutcomes.Cancelled, "the conversation was closed"), (ended.Outcome, ended.Reason));
        Assert.Equal("closed", (await Engine.ConversationAsync(routed.ConversationId)).Status);
    }

    [Fact]
    public async Task Should_let_an_operator_move_a_waiting_conversation_to_an_agent_with_room()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393339999999", "SM-1");
        await Engine.AddAgentAsync("ben", presence: AgentPresences.Away);
        await Engine.AddAgentAsync("carl", channels: ["email"]);
        await Engine.Agents.UpdateAsync("carl", new AgentChanges(Channels: ["email", "sms"]), CancellationToken.None);
        Assert.Equal("carl", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId); // the queue drained to carl
        await Engine.SetPresenceAsync("ben", AgentPresences.Available);

        var result = await Engine.TransferAsync(waiting.ConversationId, "operator:supervisor", toAgent: "ben", note: "VIP");

        Assert.Equal(TransferStatus.Done, result.Status);
        Assert.Equal("ben", (await Engine.ConversationAsync(waiting.ConversationId)).AgentId);
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Last();
        Assert.Equal(("ben", "operator:supervisor"), (assigned.AgentId, assigned.TransferredBy));
        await Engine.SetPresenceAsync("ben", AgentPresences.Away);
        var queued = await Engine.ReceiveAsync("facebook", "facebook", "6001", "mid.1");
        Assert.Equal("queued", queued.Status);
        var warmWithoutAgent = await Engine.TransferAsync(queued.ConversationId, "operator:supervisor", toAgent: "anna", warm: true);
        Assert.Equal(TransferStatus.Refused, warmWithoutAgent.Status);
        Assert.StartsWith("a warm transfer needs an agent who keeps the conversation meanwhile", warmWithoutAgent.Reason);
    }
}
