using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The agent API and the deliveries to agents' tools, with the gateway on a real PostgreSQL and RabbitMQ: routing's
/// events in, signed webhooks and the event stream out, and agents' commands and replies back onto the broker.
/// </summary>
public sealed class AgentApiTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task<JsonElement> ConversationAsync(AgentClient agent, Guid id, Func<JsonElement, bool> until) =>
        await Eventually.ValueAsync<JsonElement>($"conversation {id} in the agent's view, as expected", async () =>
        {
            using var response = await agent.Http.GetAsync($"/conversations/{id}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }
            var body = await JsonAsync(response);
            return until(body) ? body : null;
        });

    private async Task<JsonElement> WebhookAsync(string type, Guid conversationId, Func<JsonElement, bool>? also = null) =>
        await Eventually.ValueAsync<JsonElement>($"a {type} webhook about {conversationId}", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => (JsonElement?)JsonDocument.Parse(r.Body).RootElement)
            .FirstOrDefault(e => e!.Value.GetProperty("type").GetString() == type
                                 && e.Value.GetProperty("data").ToString().Contains(conversationId.ToString(), StringComparison.Ordinal)
                                 && (also is null || also(e.Value)))));

    [Fact]
    public async Task Should_deliver_an_assignment_with_the_customers_context_as_a_signed_webhook()
    {
        var agent = await gateway.AgentAsync(webhook: true);

        var conversation = await gateway.AssignAsync(agent.AgentId);

        var request = await Eventually.ValueAsync("the assignment's webhook", () => Task.FromResult<(string Id, string Timestamp, string Signature, byte[] Body)?>(
            gateway.Receiver.Requests.Where(r => Encoding.UTF8.GetString(r.Body).Contains(conversation.Id.ToString(), StringComparison.Ordinal))
                .Select(r => ((string, string, string, byte[])?)r).FirstOrDefault()));
        var (id, timestamp, signature, body) = request;
        Assert.True(StandardWebhookSignature.Verify(agent.WebhookSecret!, id, timestamp, signature, body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var payload = JsonDocument.Parse(body).RootElement;
        Assert.Equal("conversation.assigned", payload.GetProperty("type").GetString());
        var data = payload.GetProperty("data");
        Assert.Equal(("open", agent.AgentId), (data.GetProperty("conversation").GetProperty("status").GetString(),
            data.GetProperty("conversation").GetProperty("agentId").GetString()));
        var customer = data.GetProperty("customer");
        Assert.Equal("Maria Rossi", customer.GetProperty("name").GetString());
        Assert.Equal(["+393331234567", "maria@example.com"], customer.GetProperty("addresses").EnumerateArray().Select(a => a.GetProperty("value").GetString()));
        Assert.Equal("anna", customer.GetProperty("owners")[0].GetString());
        Assert.Equal("anna", customer.GetProperty("history")[0].GetProperty("agentId").GetString());
        Assert.Equal("fallback: anna: away since 09:12", data.GetProperty("routing").GetProperty("summary").GetString());
        Assert.Equal("Hello, my order is late", Assert.Single(data.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_announce_a_message_once_whether_it_arrives_before_or_after_the_assignment()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);

        var later = conversation.Message("It was order 1234", agent.AgentId, "open");
        await gateway.Broker.PublishAsync(later);
        await gateway.Broker.PublishAsync(later); // a redelivery

        var received = await WebhookAsync("message.received", conversation.Id);
        Assert.Equal("It was order 1234", received.GetProperty("data").GetProperty("message").GetProperty("text").GetString());
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 2);
        await Task.Delay(300); // time for a wrong second announcement to be made
        var events = gateway.Receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(e => e.GetProperty("data").ToString().Contains(conversation.Id.ToString(), StringComparison.Ordinal))
            .Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["conversation.assigned", "message.received"], events);
    }

    [Fact]
    public async Task Should_send_a_reply_on_the_customers_channel_and_report_its_statuses()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);

        using var response = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Sorry! It ships today." });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var replyId = (await JsonAsync(response)).GetProperty("id").GetGuid();
        var sent = await Eventually.ValueAsync("the reply's SendChannelMessage", async () => (await gateway.Broker.DrainQueueAsync("sms-send-channel-message"))
            .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .Select(m => (JsonElement?)m).FirstOrDefault(m => m!.Value.GetProperty("commandId").GetGuid() == replyId));
        var command = sent;
        Assert.Equal(("sms", "+15005550006", "+393331234567", agent.AgentId, "Sorry! It ships today."),
            (command.GetProperty("channel").GetString(), command.GetProperty("channelAccount").GetString(),
             command.GetProperty("to").GetProperty("value").GetString(), command.GetProperty("agentId").GetString(), command.GetProperty("text").GetString()));
        Assert.NotEqual(JsonValueKind.Null, command.GetProperty("customerLastMessageAt").ValueKind);

        // The provider's delivery report outruns the adapter's OutboundMessageSent: it waits, then applies.
        await gateway.Broker.PublishAsync(new DeliveryStatusChanged
        {
            Channel = "sms", ChannelAccount = "+15005550006", ProviderMessageId = "SMreply1", Status = "delivered", OccurredAt = DateTimeOffset.UtcNow,
        });
        await Task.Delay(200);
        await gateway.Broker.PublishAsync(new OutboundMessageSent
        {
            CommandId = replyId, ConversationId = conversation.Id, Channel = "sms", ProviderMessageId = "SMreply1", SentAt = DateTimeOffset.UtcNow,
        });

        var view = await ConversationAsync(agent, conversation.Id,
            c => c.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("id").GetGuid() == replyId && m.GetProperty("status").GetString() == "delivered"));
        var reply = view.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
        Assert.Equal(("out", "SMreply1"), (reply.GetProperty("direction").GetString(), reply.GetProperty("providerMessageId").GetString()));
        await WebhookAsync("reply.status", conversation.Id, e => e.GetProperty("data").GetProperty("status").GetString() == "sent");
        await WebhookAsync("reply.status", conversation.Id, e => e.GetProperty("data").GetProperty("status").GetString() == "delivered");
    }

    [Fact]
    public async Task Should_report_a_failed_reply_with_the_providers_reason()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "whatsapp");
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);
        using var response = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Still there?" });
        var replyId = (await JsonAsync(response)).GetProperty("id").GetGuid();

        await gateway.Broker.PublishAsync(new OutboundMessageFailed
        {
            CommandId = replyId, ConversationId = conversation.Id, Channel = "whatsapp", ErrorCode = "131047",
            ErrorMessage = "Re-engagement message: more than 24 hours since the customer last replied", Permanent = true, FailedAt = DateTimeOffset.UtcNow,
        });

        var failed = await WebhookAsync("reply.status", conversation.Id, e => e.GetProperty("data").GetProperty("status").GetString() == "failed");
        Assert.Equal("131047", failed.GetProperty("data").GetProperty("errorCode").GetString());
        Assert.Contains("24 hours", failed.GetProperty("data").GetProperty("errorMessage").GetString());
    }

    /// <summary>
    /// Twilio took the request and the answer was lost: the agent is told the outcome is unknown (not failed, which would
    /// invite sending it again), and Twilio's status callback, which carries the command id, settles it.
    /// </summary>
    [Fact]
    public async Task Should_report_an_unknown_outcome_and_settle_it_from_the_providers_callback()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);
        using var response = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "On its way." });
        var replyId = (await JsonAsync(response)).GetProperty("id").GetGuid();

        await gateway.Broker.PublishAsync(new OutboundMessageFailed
        {
            CommandId = replyId, ConversationId = conversation.Id, Channel = "sms", ErrorCode = "connection-lost",
            ErrorMessage = "The response ended prematurely.", Permanent = false, OutcomeUnknown = true, FailedAt = DateTimeOffset.UtcNow,
        });
        var unknown = await WebhookAsync("reply.status", conversation.Id, e => e.GetProperty("data").GetProperty("status").GetString() == "unknown");
        await gateway.Broker.PublishAsync(new DeliveryStatusChanged
        {
            Channel = "sms", ChannelAccount = "+15005550006", ProviderMessageId = "SMsettled1", CommandId = replyId, Status = "delivered",
            OccurredAt = DateTimeOffset.UtcNow,
        });

        var view = await ConversationAsync(agent, conversation.Id,
            c => c.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("id").GetGuid() == replyId && m.GetProperty("status").GetString() == "delivered"));
        Assert.Equal("connection-lost", unknown.GetProperty("data").GetProperty("errorCode").GetString());
        var reply = view.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
        Assert.Equal("SMsettled1", reply.GetProperty("providerMessageId").GetString());
        await WebhookAsync("reply.status", conversation.Id, e => e.GetProperty("data").GetProperty("status").GetString() == "delivered");
    }

    [Fact]
    public async Task Should_reply_on_another_channel_the_customer_has_and_refuse_one_they_do_not()
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);

        using var email = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Details by email", channel = "email" });
        using var twitter = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "DM", channel = "twitter" });

        Assert.Equal(HttpStatusCode.Accepted, email.StatusCode);
        var id = (await JsonAsync(email)).GetProperty("id").GetGuid();
        var command = await Eventually.ValueAsync("the email reply's SendChannelMessage", async () => (await gateway.Broker.DrainQueueAsync("email-send-channel-message"))
            .Select(m => (JsonElement?)JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .FirstOrDefault(m => m!.Value.GetProperty("commandId").GetGuid() == id));
        Assert.Equal(("support@example.com", "maria@example.com"), (command.GetProperty("channelAccount").GetString(),
            command.GetProperty("to").GetProperty("value").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, twitter.StatusCode);
        Assert.Equal("channel", (await JsonAsync(twitter)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Should_send_a_reply_retried_with_the_same_idempotency_key_once()
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 1);

        async Task<HttpResponseMessage> ReplyAsync(string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversation.Id}/replies") { Content = JsonContent.Create(new { text }) };
            request.Headers.Add("Idempotency-Key", "reply-1");
            return await agent.Http.SendAsync(request);
        }
        using var first = await ReplyAsync("On its way");
        using var again = await ReplyAsync("On its way");
        using var third = await ReplyAsync("On its way");
        using var different = await ReplyAsync("Something else");

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict),
            (first.StatusCode, again.StatusCode, third.StatusCode, different.StatusCode));
        var id = (await JsonAsync(first)).GetProperty("id").GetGuid();
        Assert.Equal((id, id), ((await JsonAsync(again)).GetProperty("id").GetGuid(), (await JsonAsync(third)).GetProperty("id").GetGuid()));
        var view = await ConversationAsync(agent, conversation.Id, _ => true);
        Assert.Single(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "out");
        // Every send was confirmed by the broker before its request was answered: the queue holds all there will be.
        var sent = (await gateway.Broker.DrainQueueAsync("sms-send-channel-message"))
            .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).ToList();
        Assert.Equal([id], sent.Select(m => m.GetProperty("commandId").GetGuid()));
    }

    [Fact]
    public async Task Should_forward_accept_decline_close_and_presence_to_routing()
    {
        var agent = await gateway.AgentAsync();
        await using var accepted = await gateway.Broker.ObserveAsync<AgentAcceptedConversation>();
        await using var declined = await gateway.Broker.ObserveAsync<AgentDeclinedConversation>();
        await using var closed = await gateway.Broker.ObserveAsync<CloseConversation>();
        await using var presence = await gateway.Broker.ObserveAsync<AgentPresenceChanged>();
        var offer = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        var other = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        await ConversationAsync(agent, offer.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "offered");
        await ConversationAsync(agent, other.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "offered");

        using var reply = await agent.Http.PostAsJsonAsync($"/conversations/{offer.Id}/replies", new { text = "Hi" });
        Assert.Equal(HttpStatusCode.Conflict, reply.StatusCode); // an offer is accepted before it is answered
        Assert.Equal(HttpStatusCode.Accepted, (await agent.Http.PostAsync($"/conversations/{offer.Id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await agent.Http.PostAsync($"/conversations/{offer.Id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await agent.Http.PostAsJsonAsync($"/conversations/{other.Id}/decline", new { reason = "not my language" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await agent.Http.PostAsJsonAsync($"/conversations/{offer.Id}/close", new { reason = "resolved" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await agent.Http.PutAsJsonAsync("/me/presence", new { status = "away" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.Http.PutAsJsonAsync("/me/presence", new { status = "sleeping" })).StatusCode);

        Assert.Equal(agent.AgentId, (await accepted.WaitForAsync(m => m.ConversationId == offer.Id)).AgentId);
        Assert.Equal("not my language", (await declined.WaitForAsync(m => m.ConversationId == other.Id)).Reason);
        var close = await closed.WaitForAsync(m => m.ConversationId == offer.Id);
        // the customer's one message, which the assignment showed the agent: routing keeps the conversation open if it holds more
        Assert.Equal((agent.AgentId, "resolved", 1), (close.ClosedBy, close.Reason, close.MessagesSeen));
        Assert.Equal("away", (await presence.WaitForAsync(m => m.AgentId == agent.AgentId)).Status);
    }

    [Fact]
    public async Task Should_forward_a_transfer_and_its_answer_only_for_what_is_the_agents_to_move_or_answer()
    {
        var anna = await gateway.AgentAsync(webhook: true);
        var ben = await gateway.AgentAsync(webhook: true);
        await using var transfers = await gateway.Broker.ObserveAsync<TransferConversation>();
        await using var answers = await gateway.Broker.ObserveAsync<AgentAnsweredTransfer>();
        var open = await gateway.AssignAsync(anna.AgentId);
        var offer = await gateway.AssignAsync(anna.AgentId, requiresAccept: true);
        await ConversationAsync(anna, open.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "open");
        await ConversationAsync(anna, offer.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "offered");

        Assert.Equal(HttpStatusCode.BadRequest, (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { note = "?" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { toAgentId = ben.AgentId, toTeam = "billing" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { toAgentId = anna.AgentId })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { toTeam = "billing", note = new string('x', 2001) })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await anna.Http.PostAsJsonAsync($"/conversations/{offer.Id}/transfer", new { toAgentId = ben.AgentId })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { toAgentId = anna.AgentId })).StatusCode);

        using var asked = await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/transfer", new { toTeam = "Billing", warm = true, note = "invoice" });

        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var transferId = (await JsonAsync(asked)).GetProperty("transferId").GetGuid();
        var sent = await transfers.WaitForAsync(t => t.TransferId == transferId);
        Assert.Equal((open.Id, anna.AgentId, "billing", true, "invoice"), (sent.ConversationId, sent.RequestedBy, sent.ToTeam, sent.Warm, sent.Note));

        // routing offers it to ben, who answers: only he may, once, while the offer lasts
        await gateway.Broker.PublishAsync(new ConversationTransferOffered
        {
            TransferId = transferId, ConversationId = open.Id, CustomerId = open.CustomerId, FromAgentId = anna.AgentId, ToAgentId = ben.AgentId, ToTeam = "billing",
            Channel = open.Channel, Note = "invoice", DecisionId = Guid.NewGuid(), ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(2), OfferedAt = DateTimeOffset.UtcNow,
        });
        var shown = await WebhookAsync("transfer.offered", open.Id);
        Assert.Equal(transferId, shown.GetProperty("data").GetProperty("transferId").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await anna.Http.PostAsync($"/transfers/{transferId}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.Http.PostAsync($"/transfers/{Guid.NewGuid()}/accept", null)).StatusCode);
        Assert.Single((await JsonAsync(await ben.Http.GetAsync("/me/transfers"))).EnumerateArray());

        Assert.Equal(HttpStatusCode.Accepted, (await ben.Http.PostAsJsonAsync($"/transfers/{transferId}/decline", new { reason = "on a call" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ben.Http.PostAsync($"/transfers/{transferId}/accept", null)).StatusCode);
        var answer = await answers.WaitForAsync(a => a.TransferId == transferId);
        Assert.Equal((ben.AgentId, false, "on a call"), (answer.AgentId, answer.Accepted, answer.Reason));

        // routing's answer reaches anna, who asked, and ben, to whom it was offered
        await gateway.Broker.PublishAsync(new ConversationTransferEnded
        {
            TransferId = transferId, ConversationId = open.Id, RequestedBy = anna.AgentId, FromAgentId = anna.AgentId, ToAgentId = ben.AgentId, ToTeam = "billing",
            Warm = true, Outcome = TransferOutcomes.Declined, Reason = $"{ben.AgentId} declined: on a call", EndedAt = DateTimeOffset.UtcNow,
        });
        var ended = await WebhookAsync("transfer.ended", open.Id);
        Assert.Equal($"Not transferred: {ben.AgentId} declined: on a call. The conversation stays with its agent.",
            ended.GetProperty("data").GetProperty("text").GetString());
        await Eventually.TrueAsync("both agents to be told", () => Task.FromResult(gateway.Receiver.Requests.Count(r =>
            JsonDocument.Parse(r.Body).RootElement is var e && e.GetProperty("type").GetString() == "transfer.ended"
            && e.GetProperty("data").GetProperty("transferId").GetGuid() == transferId) == 2));
        Assert.Empty((await JsonAsync(await ben.Http.GetAsync("/me/transfers"))).EnumerateArray());
    }

    [Fact]
    public async Task Should_send_an_agents_note_on_the_customer_to_routing_and_show_the_next_agent_the_notes_it_carries()
    {
        var anna = await gateway.AgentAsync(webhook: true);
        var ben = await gateway.AgentAsync(webhook: true);
        await using var notes = await gateway.Broker.ObserveAsync<AnnotateCustomer>();
        var open = await gateway.AssignAsync(anna.AgentId, tags: ["vip"], notes:
        [
            new CustomerNote { NoteId = Guid.NewGuid(), Text = "Ask for the order number first", Author = "cleo", WrittenAt = DateTimeOffset.UtcNow.AddDays(-1) },
        ]);
        var detail = await ConversationAsync(anna, open.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "open");

        Assert.Equal(HttpStatusCode.BadRequest, (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/notes", new { note = " " })).StatusCode);
        var badTag = await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/notes", new { addTags = new[] { "not one" } });
        Assert.Equal((HttpStatusCode.BadRequest, "addTags"), (badTag.StatusCode, (await JsonAsync(badTag)).GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/notes", new { note = new string('x', 2001) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.Http.PostAsJsonAsync($"/conversations/{open.Id}/notes", new { note = "not mine" })).StatusCode);
        using var written = await anna.Http.PostAsJsonAsync($"/conversations/{open.Id}/notes", new { note = "Resent parcel 1042 on Monday.", addTags = new[] { "Returns" } });

        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);
        var noteId = (await JsonAsync(written)).GetProperty("noteId").GetGuid();
        var sent = await notes.WaitForAsync(n => n.AnnotationId == noteId);
        Assert.Equal((open.Id, anna.AgentId, "Resent parcel 1042 on Monday.", "returns"), (sent.ConversationId, sent.AgentId, sent.Note, Assert.Single(sent.AddTags)));
        Assert.Single(notes.Messages);
        // what the assignment carried is in the agent's view of the customer and in the event
        var customer = detail.GetProperty("context").GetProperty("customer");
        Assert.Equal("Ask for the order number first", customer.GetProperty("notes")[0].GetProperty("text").GetString());
        Assert.Equal("vip", customer.GetProperty("tags")[0].GetString());
        var assigned = await WebhookAsync("conversation.assigned", open.Id);
        Assert.Equal("cleo", assigned.GetProperty("data").GetProperty("customer").GetProperty("notes")[0].GetProperty("author").GetString());
    }

    [Fact]
    public async Task Should_tell_the_agent_who_transferred_it_even_when_the_new_assignment_is_applied_first()
    {
        var anna = await gateway.AgentAsync(webhook: true);
        var ben = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(anna.AgentId);
        await ConversationAsync(anna, conversation.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "open");
        var at = DateTimeOffset.UtcNow;

        // one routing transaction: anna's release, then ben's assignment; the gateway applies them the other way round
        await gateway.Broker.PublishAsync(new ConversationAssigned
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, AgentId = ben.AgentId, Channel = conversation.Channel,
            ChannelAccount = conversation.Account, CustomerAddresses = [conversation.Address], RequiresAccept = false, TransferredBy = anna.AgentId,
            Receipt = new RoutingReceiptSummary
            {
                DecisionId = Guid.NewGuid(), Trigger = RoutingTriggers.Transferred, Outcome = "assigned", Reason = RoutingReasons.Transfer,
                Candidates = [], CandidatesConsidered = 1,
            },
            AssignedAt = at,
        });
        await ConversationAsync(ben, conversation.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "open");
        await gateway.Broker.PublishAsync(new ConversationReleased
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, AgentId = anna.AgentId, Reason = RoutingTriggers.Transferred,
            DecisionId = Guid.NewGuid(), ReleasedAt = at,
        });

        var released = await WebhookAsync("conversation.released", conversation.Id);
        Assert.Equal("you transferred it", released.GetProperty("data").GetProperty("reasonText").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await anna.Http.GetAsync($"/conversations/{conversation.Id}")).StatusCode);
        Assert.Equal(ben.AgentId, (await ConversationAsync(ben, conversation.Id, _ => true)).GetProperty("conversation").GetProperty("agentId").GetString());
    }

    [Fact]
    public async Task Should_send_routings_auto_replies_on_the_customers_channel_once_each_and_show_them_to_the_next_agent()
    {
        var agent = await gateway.AgentAsync();
        var conversation = new Conversation(Guid.NewGuid(), Guid.NewGuid(), "sms", "+15005550006",
            new CustomerAddress { Kind = "phone", Value = "+393331234567", DisplayName = "Maria Rossi" });
        var message = conversation.Message("Is anyone there?", null, "queued");
        var outOfHours = new ConversationAutoReplied
        {
            AutoReplyId = Guid.NewGuid(), Reason = AutoReplyReasons.OutOfHours, ConversationId = conversation.Id, CustomerId = conversation.CustomerId, Channel = "sms", ChannelAccount = conversation.Account,
            Message = new ConversationMessage
            {
                MessageId = message.MessageId, ConversationId = conversation.Id, Channel = "sms", Sender = conversation.Address, Text = "Is anyone there?",
                ReceivedAt = message.ReceivedAt,
            },
            ProviderMessageId = message.ProviderMessageId, OpensAt = DateTimeOffset.UtcNow.AddHours(14), TimeZone = "Europe/Rome",
            Text = "We are closed right now and open again Monday 09:00 (Europe/Rome).", At = DateTimeOffset.UtcNow,
        };

        await gateway.Broker.PublishAsync(outOfHours);
        await gateway.Broker.PublishAsync(outOfHours); // redelivered: still one reply

        var sent = await Eventually.ValueAsync("the out-of-hours reply on the sms queue", async () =>
        {
            var found = (await gateway.Broker.DrainQueueAsync("sms-send-channel-message"))
                .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
                .Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).ToList();
            return found.Count > 0 ? found : null;
        });
        var reply = Assert.Single(sent);
        Assert.Equal(("We are closed right now and open again Monday 09:00 (Europe/Rome).", "+393331234567", "+15005550006", "routing"),
            (reply.GetProperty("text").GetString(), reply.GetProperty("to").GetProperty("value").GetString(), reply.GetProperty("channelAccount").GetString(),
             reply.GetProperty("agentId").GetString()));
        await Task.Delay(500);
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("sms-send-channel-message"),
            m => m.Body.Contains(conversation.Id.ToString(), StringComparison.Ordinal));

        // the morning comes and the queue is long: another auto-reply (another id) is another reply
        const string busy = "All our agents are busy right now; we will answer you as soon as we can.";
        await gateway.Broker.PublishAsync(outOfHours with
        {
            AutoReplyId = Guid.NewGuid(), Reason = AutoReplyReasons.QueueOverflow, Text = busy, OpensAt = null, TimeZone = null,
        });
        var second = await Eventually.ValueAsync("the queue-overflow reply on the sms queue", async () =>
            (await gateway.Broker.DrainQueueAsync("sms-send-channel-message")).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .FirstOrDefault(m => m.GetProperty("conversationId").GetGuid() == conversation.Id) is { ValueKind: JsonValueKind.Object } found ? (JsonElement?)found : null);
        Assert.Equal(busy, second.GetProperty("text").GetString());

        // when an agent gets the conversation, they see what the customer was told
        await gateway.Broker.PublishAsync(message with { AgentId = agent.AgentId, ConversationStatus = "open" });
        await gateway.Broker.PublishAsync(new ConversationAssigned
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, AgentId = agent.AgentId, Channel = "sms", ChannelAccount = conversation.Account,
            CustomerAddresses = [conversation.Address], RequiresAccept = false,
            Receipt = new RoutingReceiptSummary
            {
                DecisionId = Guid.NewGuid(), Trigger = RoutingTriggers.SlotFreed, Outcome = "assigned", Reason = RoutingReasons.Queue, Candidates = [],
                CandidatesConsidered = 1,
            },
            AssignedAt = DateTimeOffset.UtcNow,
        });
        var detail = await ConversationAsync(agent, conversation.Id, c => c.GetProperty("messages").GetArrayLength() == 3);
        Assert.Equal(2, detail.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("direction").GetString() == "out"
            && m.GetProperty("agentId").GetString() == "routing"));
    }

    [Fact]
    public async Task Should_tell_the_agent_of_a_release_and_ignore_an_older_assignment_arriving_after_it()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        await ConversationAsync(agent, conversation.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "offered");

        await gateway.Broker.PublishAsync(new ConversationReleased
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, AgentId = agent.AgentId, Reason = "offer-expired",
            DecisionId = Guid.NewGuid(), ReleasedAt = DateTimeOffset.UtcNow,
        });

        var released = await WebhookAsync("conversation.released", conversation.Id);
        Assert.Equal("offer-expired", released.GetProperty("data").GetProperty("reason").GetString());
        await Eventually.TrueAsync("the released conversation to leave the agent's view",
            async () => (await agent.Http.GetAsync($"/conversations/{conversation.Id}")).StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.Http.PostAsync($"/conversations/{conversation.Id}/accept", null)).StatusCode);
    }

    [Fact]
    public async Task Should_show_the_kept_conversations_agent_what_a_merge_moved_and_give_it_back_on_unmerge()
    {
        var anna = await gateway.AgentAsync(webhook: true);
        var ben = await gateway.AgentAsync(webhook: true);
        var kept = await gateway.AssignAsync(anna.AgentId);
        var absorbed = await gateway.AssignAsync(ben.AgentId);
        await WebhookAsync("conversation.assigned", absorbed.Id); // a message routed after it is announced on its own
        var parcel = absorbed.Message("My parcel never came", ben.AgentId, "open");
        await gateway.Broker.PublishAsync(parcel);
        await WebhookAsync("message.received", absorbed.Id);

        var mergedAt = DateTimeOffset.UtcNow;
        await gateway.Broker.PublishAsync(new ConversationClosed
        {
            ConversationId = absorbed.Id, CustomerId = absorbed.CustomerId, AgentId = ben.AgentId, Channel = absorbed.Channel,
            ClosedBy = "routing", Reason = CloseReasons.Merged, ClosedAt = mergedAt,
        });
        await gateway.Broker.PublishAsync(new CustomersMerged
        {
            MergeId = Guid.NewGuid(), SurvivorId = kept.CustomerId, MergedId = absorbed.CustomerId, KeptConversationId = kept.Id,
            AbsorbedConversationId = absorbed.Id, AgentId = anna.AgentId, MovedMessageIds = [parcel.MessageId], MergedAt = mergedAt,
        });

        var shown = await WebhookAsync("message.received", kept.Id, e => e.GetProperty("data").ToString().Contains("My parcel never came", StringComparison.Ordinal));
        Assert.Equal(parcel.MessageId, shown.GetProperty("data").GetProperty("message").GetProperty("id").GetGuid());
        var closed = await WebhookAsync("conversation.closed", absorbed.Id);
        Assert.Equal(CloseReasons.Merged, closed.GetProperty("data").GetProperty("reason").GetString());
        await ConversationAsync(anna, kept.Id, c => c.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("id").GetGuid() == parcel.MessageId));

        // Undone: the message goes back, and the reopened conversation is ben's again when routing assigns it.
        var unmergedAt = DateTimeOffset.UtcNow;
        await gateway.Broker.PublishAsync(new CustomersUnmerged
        {
            MergeId = Guid.NewGuid(), SurvivorId = kept.CustomerId, RestoredId = absorbed.CustomerId,
            MovedMessages = [new MessageMove { MessageId = parcel.MessageId, ConversationId = absorbed.Id }],
            Conversations = [], ReopenedConversationIds = [absorbed.Id], UnmergedAt = unmergedAt,
        });
        await gateway.Broker.PublishAsync(new ConversationAssigned
        {
            ConversationId = absorbed.Id, CustomerId = absorbed.CustomerId, AgentId = ben.AgentId, Channel = absorbed.Channel,
            ChannelAccount = absorbed.Account, CustomerAddresses = [absorbed.Address], RequiresAccept = false,
            Receipt = new RoutingReceiptSummary
            {
                DecisionId = Guid.NewGuid(), Trigger = RoutingTriggers.Unmerged, Outcome = "assigned", Reason = "preferred-history",
                Candidates = [new CandidateSummary { AgentId = ben.AgentId, Source = "history", Verdict = "chosen: available, 0/3 open" }],
                CandidatesConsidered = 1,
            },
            RecentMessages = [], PreferredAgents = [], RelationshipHistory = [], AssignedAt = unmergedAt,
        });

        // The two events are consumed side by side, in either order: wait for both to have been applied.
        var reopened = await ConversationAsync(ben, absorbed.Id, c => c.GetProperty("conversation").GetProperty("status").GetString() == "open"
            && c.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("id").GetGuid() == parcel.MessageId));
        Assert.Contains(reopened.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetGuid() == parcel.MessageId);
        var keptView = await ConversationAsync(anna, kept.Id, c => c.GetProperty("messages").EnumerateArray().All(m => m.GetProperty("id").GetGuid() != parcel.MessageId));
        Assert.DoesNotContain(keptView.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetGuid() == parcel.MessageId);
    }

    [Fact]
    public async Task Should_stream_the_agents_events_and_resume_after_the_last_event_id()
    {
        var agent = await gateway.AgentAsync();
        using var stream = await agent.Http.GetAsync("/me/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());

        var conversation = await gateway.AssignAsync(agent.AgentId);
        var first = await SseEventAsync(reader);
        // After the assignment: a message routed before it would be part of it, not an event of its own.
        await gateway.Broker.PublishAsync(conversation.Message("Are you there?", agent.AgentId, "open"));
        var second = await SseEventAsync(reader);
        Assert.Equal(("conversation.assigned", "message.received"), (first.Type, second.Type));
        Assert.Contains(conversation.Id.ToString(), first.Data, StringComparison.Ordinal);

        using var resume = new HttpRequestMessage(HttpMethod.Get, "/me/events");
        resume.Headers.Add("Last-Event-ID", first.Id);
        using var resumed = await agent.Http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        using var resumedReader = new StreamReader(await resumed.Content.ReadAsStreamAsync());
        Assert.Equal((second.Id, "message.received"), ((await SseEventAsync(resumedReader)).Id, "message.received"));
    }

    private static async Task<(string Id, string Type, string Data)> SseEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        string? id = null, type = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.Length == 0 && id is not null)
            {
                return (id, type!, data!);
            }
        }
        throw new EndOfStreamException();
    }

    [Fact]
    public async Task Should_show_another_agents_conversation_to_no_one_but_its_agent()
    {
        var owner = await gateway.AgentAsync();
        var intruder = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(owner.AgentId);
        await ConversationAsync(owner, conversation.Id, _ => true);

        foreach (var (method, path, body) in ConversationEndpoints(conversation.Id))
        {
            using var response = await intruder.Http.SendAsync(new HttpRequestMessage(method, path) { Content = body });
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var list = await intruder.Http.GetAsync("/me/conversations?status=all");
        Assert.Equal(0, (await JsonAsync(list)).GetArrayLength());
        using var own = await owner.Http.GetAsync("/me/conversations");
        Assert.Equal(conversation.Id, Assert.Single((await JsonAsync(own)).EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Should_refuse_every_agent_endpoint_without_a_token_and_with_a_revoked_one()
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, _ => true);
        Assert.Equal(HttpStatusCode.NoContent, (await gateway.Admin.DeleteAsync($"/admin/tokens/{agent.TokenId}")).StatusCode);
        using var anonymous = gateway.Anonymous();

        var endpoints = ConversationEndpoints(conversation.Id).Concat(
        [
            (HttpMethod.Get, "/me", null), (HttpMethod.Get, "/me/conversations", null), (HttpMethod.Get, "/me/events", null),
            (HttpMethod.Put, "/me/presence", JsonContent.Create(new { status = "available" })),
        ]);
        foreach (var (method, path, body) in endpoints)
        {
            using var revoked = await agent.Http.SendAsync(new HttpRequestMessage(method, path) { Content = body });
            using var none = await anonymous.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(new { status = "available" }) });
            Assert.True(revoked.StatusCode == HttpStatusCode.Unauthorized, $"revoked {method} {path}: {revoked.StatusCode}");
            Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"no token {method} {path}: {none.StatusCode}");
        }
    }

    /// <summary>A revoked token used to keep an open event stream for as long as the connection lasted.</summary>
    [Fact]
    public async Task Should_end_an_open_event_stream_when_its_token_is_revoked()
    {
        var agent = await gateway.AgentAsync();
        using var stream = await agent.Http.GetAsync("/me/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("retry: 3000", await reader.ReadLineAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await gateway.Admin.DeleteAsync($"/admin/tokens/{agent.TokenId}")).StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
        }
        Assert.Contains("event: token-revoked", lines);
    }

    [Fact]
    public async Task Should_issue_tokens_that_expire_and_refuse_them_once_expired()
    {
        var agentId = "agent-" + Guid.NewGuid().ToString("N")[..8];
        using var tooLong = await gateway.Admin.PostAsJsonAsync($"/admin/agents/{agentId}/tokens", new { expiresInDays = 400 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("expiresInDays", (await JsonAsync(tooLong)).GetProperty("field").GetString());
        using var byDefault = await gateway.Admin.PostAsync($"/admin/agents/{agentId}/tokens", null);
        Assert.InRange((await JsonAsync(byDefault)).GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(89), DateTimeOffset.UtcNow.AddDays(91));
        using var issued = await gateway.Admin.PostAsJsonAsync($"/admin/agents/{agentId}/tokens", new { expiresInDays = 1 });
        var token = await JsonAsync(issued);
        Assert.InRange(token.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        using var http = gateway.Anonymous();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/me")).StatusCode);

        await using (var db = await gateway.Database.DataSource.OpenConnectionAsync())
        {
            await using var expire = new Npgsql.NpgsqlCommand("update gateway_agent_tokens set expires_at = now() - interval '1 second' where id = $1", db)
            {
                Parameters = { new() { Value = token.GetProperty("id").GetGuid() } },
            };
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        using var expired = await http.GetAsync("/me");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("application/problem+json", expired.Content.Headers.ContentType?.MediaType);
    }

    private static IEnumerable<(HttpMethod, string, HttpContent?)> ConversationEndpoints(Guid id) =>
    [
        (HttpMethod.Get, $"/conversations/{id}", null),
        (HttpMethod.Post, $"/conversations/{id}/accept", null),
        (HttpMethod.Post, $"/conversations/{id}/decline", JsonContent.Create(new { reason = "x" })),
        (HttpMethod.Post, $"/conversations/{id}/close", JsonContent.Create(new { reason = "x" })),
        (HttpMethod.Post, $"/conversations/{id}/replies", JsonContent.Create(new { text = "Hi" })),
    ];

    [Fact]
    public async Task Should_move_an_event_it_can_never_apply_to_the_error_queue_and_keep_serving()
    {
        await gateway.Broker.PublishAsync(new DeliveryStatusChanged { Channel = "sms", ProviderMessageId = "SMx", Status = "exploded", OccurredAt = DateTimeOffset.UtcNow });

        var dead = await Eventually.ValueAsync("the event in agent-gateway_error", async () => (await gateway.Broker.DrainQueueAsync("agent-gateway_error")).Select(m => (string?)m.Headers["MT-Fault-Message"]).FirstOrDefault());
        Assert.Contains("status", dead, StringComparison.Ordinal);
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await ConversationAsync(agent, conversation.Id, _ => true);
    }
}
