using Routing.Samples;
using Routing.AgentGateway.Rendering;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// Conversations delivered into Slack and answered from there, with the gateway on a real PostgreSQL and RabbitMQ and
/// Slack's Web API imitated on 127.0.0.1: a thread per conversation with the customer's context, Accept and Decline,
/// thread replies to the customer, statuses as reactions, signatures and rate limits.
/// </summary>
public sealed class SlackTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private async Task<SlackCall> CallAsync(string method, string text, Func<SlackCall, bool>? also = null) =>
        await Eventually.ValueAsync($"Slack's {method} with \"{text}\"",
            () => Task.FromResult(gateway.Slack.CallsOf(method, text).FirstOrDefault(c => also?.Invoke(c) ?? true)));

    /// <summary>The thread the conversation opened in the agent's direct messages: its channel (D…) and ts.</summary>
    private async Task<(string Channel, string Ts)> ThreadAsync(AgentClient agent, Guid conversationId)
    {
        var opening = await OpeningAsync(conversationId, c => c.Body.GetProperty("channel").GetString() == agent.SlackUserId);
        return (opening.Channel!, opening.Ts!);
    }

    /// <summary>
    /// The conversation's opening message, once the gateway knows its thread. The gateway records the thread when Slack
    /// has answered, a moment after the imitation saw the call: a press or a reply sent in that moment would be ignored.
    /// </summary>
    private async Task<SlackCall> OpeningAsync(Guid conversationId, Func<SlackCall, bool>? also = null)
    {
        var opening = await CallAsync("chat.postMessage", conversationId.ToString(), c => c.Status == 200 && (also?.Invoke(c) ?? true));
        var store = gateway.Services.GetRequiredService<ThreadStore>();
        await Eventually.TrueAsync($"the gateway to record the Slack thread of {conversationId}",
            async () => await store.ThreadOwnerAsync(opening.Channel!, opening.Ts!, CancellationToken.None) is not null);
        return opening;
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => gateway.Anonymous().SendAsync(request);

    private static HttpRequestMessage ThreadReply(string channel, string threadTs, string user, string text, string ts) =>
        SampleWebhooks.SlackThreadReply("", GatewayHost.SlackSigningSecret, channel, user, text, ts, threadTs);

    [Fact]
    public async Task Should_open_a_thread_with_the_customers_context_and_write_later_messages_into_it()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, text: "Hello <!channel>, my order is late");

        var opening = await CallAsync("chat.postMessage", conversation.Id.ToString());
        Assert.Equal("Bearer xoxb-test-token", opening.Authorization);
        Assert.Equal(agent.SlackUserId, opening.Body.GetProperty("channel").GetString());
        var blocks = Texts(opening.Body.GetProperty("blocks"));
        Assert.Contains("Maria Rossi", blocks);
        Assert.Contains("anna", blocks); // owner and history
        Assert.Contains("phone: +393331234567", blocks);
        Assert.Contains("&lt;!channel&gt;", blocks); // the customer cannot mention the channel
        Assert.DoesNotContain("<!channel>", blocks);
        Assert.DoesNotContain(SlackMessages.AcceptAction, blocks); // assigned, not offered: no buttons

        await gateway.Broker.PublishAsync(conversation.Message("It was order 1234", agent.AgentId, "open"));
        var later = await CallAsync("chat.postMessage", "It was order 1234");
        Assert.Equal("D" + agent.SlackUserId![1..], later.Body.GetProperty("channel").GetString());
        Assert.False(string.IsNullOrEmpty(later.Body.GetProperty("thread_ts").GetString()));
    }

    /// <summary>
    /// A comment under the Page's post is on Facebook, for everyone to read, and the agent's answer follows it into public: the
    /// thread says so, with a link to see it; the customer's direct messages after it are on Messenger.
    /// </summary>
    [Fact]
    public async Task Should_open_a_public_comment_as_on_Facebook_with_its_link_and_later_direct_messages_as_on_Messenger()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "facebook", text: "Is anyone listening? Order 1042 never came.",
            post: new PublicPost { PostId = "1784523_99", ParentId = "1784523_99_7001", Kind = "comment", Permalink = "https://www.facebook.com/1784523/posts/99?comment_id=7001" });

        var opening = await CallAsync("chat.postMessage", conversation.Id.ToString());
        var blocks = Texts(opening.Body.GetProperty("blocks"));
        Assert.Contains("Maria Rossi · Facebook", blocks);
        Assert.Contains(":globe_with_meridians: *Public comment on Facebook* · <https://www.facebook.com/1784523/posts/99?comment_id=7001|see it>", blocks);
        Assert.Contains("Reply in this thread to answer on Facebook", blocks);
        Assert.DoesNotContain("Messenger", blocks);

        await gateway.Broker.PublishAsync(conversation.Message("Order 1042, thanks for writing.", agent.AgentId, "open"));
        var direct = await CallAsync("chat.postMessage", "Order 1042, thanks for writing.");
        var line = Texts(direct.Body);
        Assert.Contains("* · Messenger · ", line);
        Assert.DoesNotContain("globe_with_meridians", line);
    }

    [Fact]
    public async Task Should_send_a_thread_reply_to_the_customer_once_and_show_its_statuses_as_reactions()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var (channel, threadTs) = await ThreadAsync(agent, conversation.Id);
        using var reply = ThreadReply(channel, threadTs, agent.SlackUserId!, "Sorry &amp; thanks, see <https://example.com/track|tracking>", "1700000000.000100");
        var body = await reply.Content!.ReadAsStringAsync(); // Slack sends the very same event again when it got no 200 in time

        using var first = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", body, "application/json", GatewayHost.SlackSigningSecret));
        using var retried = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", body, "application/json", GatewayHost.SlackSigningSecret));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        var commands = await Eventually.ValueAsync("the thread reply's SendChannelMessage", async () =>
        {
            var sent = (await gateway.Broker.DrainQueueAsync("sms-send-channel-message"))
                .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
                .Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).ToList();
            return sent.Count > 0 ? sent : null;
        });
        var command = Assert.Single(commands.Select(c => c.GetProperty("commandId").GetGuid()).Distinct());
        Assert.Equal(("Sorry & thanks, see tracking (https://example.com/track)", agent.AgentId, "+393331234567"),
            (commands[0].GetProperty("text").GetString(), commands[0].GetProperty("agentId").GetString(),
             commands[0].GetProperty("to").GetProperty("value").GetString()));

        await gateway.Broker.PublishAsync(new OutboundMessageSent
        {
            CommandId = command, ConversationId = conversation.Id, Channel = "sms", ProviderMessageId = "SM" + Guid.NewGuid().ToString("N"),
            SentAt = DateTimeOffset.UtcNow,
        });
        var reaction = await CallAsync("reactions.add", "1700000000.000100", c => c.Body.GetProperty("channel").GetString() == channel);
        Assert.Equal("outbox_tray", reaction.Body.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Should_offer_with_buttons_and_accept_from_Slack()
    {
        var agent = await gateway.AgentAsync(slack: true);
        await using var accepted = await gateway.Broker.ObserveAsync<AgentAcceptedConversation>();
        var conversation = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        var opening = await OpeningAsync(conversation.Id);
        Assert.Contains(SlackMessages.AcceptAction, Texts(opening.Body.GetProperty("blocks")));

        // Someone else in the channel cannot take the agent's offer.
        using var stranger = await SendAsync(Press(opening, "U0STRANGER", SlackMessages.AcceptAction, conversation.Id));
        Assert.Equal(HttpStatusCode.OK, stranger.StatusCode);
        await CallAsync("chat.postEphemeral", "U0STRANGER");

        using var pressed = await SendAsync(Press(opening, agent.SlackUserId!, SlackMessages.AcceptAction, conversation.Id));

        Assert.Equal(HttpStatusCode.OK, pressed.StatusCode);
        Assert.Equal(agent.AgentId, (await accepted.WaitForAsync(m => m.ConversationId == conversation.Id)).AgentId);
        Assert.Single(accepted.Messages, m => m.ConversationId == conversation.Id);
        var update = await CallAsync("chat.update", opening.Ts!);
        Assert.DoesNotContain(SlackMessages.AcceptAction, Texts(update.Body.GetProperty("blocks")));
        Assert.Contains("Accepted by", Texts(update.Body.GetProperty("blocks")));
        await Eventually.TrueAsync("the accepted offer to be open in the agent's view", async () => (await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}"))
            .GetProperty("conversation").GetProperty("status").GetString() == "open");
    }

    [Fact]
    public async Task Should_tell_the_agent_in_the_thread_when_a_reply_is_refused()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        var (channel, threadTs) = await ThreadAsync(agent, conversation.Id);

        using var response = await SendAsync(ThreadReply(channel, threadTs, agent.SlackUserId!, "Hi there", "1700000000.000200"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notice = await CallAsync("chat.postMessage", "Not sent to the customer", c => c.Body.GetProperty("thread_ts").GetString() == threadTs);
        Assert.Contains("accept it before replying", notice.Body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_ignore_a_thread_reply_from_someone_other_than_the_agent()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var (channel, threadTs) = await ThreadAsync(agent, conversation.Id);

        using var response = await SendAsync(ThreadReply(channel, threadTs, "U0SOMEONE", "I'll take this", "1700000000.000300"));
        // The agent's own reply after it is sent: the stranger's is not (the queue is read after the agent's is there).
        using var own = await SendAsync(ThreadReply(channel, threadTs, agent.SlackUserId!, "On it", "1700000000.000301"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (response.StatusCode, own.StatusCode));
        var texts = await Eventually.ValueAsync("the agent's SendChannelMessage", async () =>
        {
            var sent = (await gateway.Broker.DrainQueueAsync("sms-send-channel-message"))
                .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
                .Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).Select(m => m.GetProperty("text").GetString()!).ToList();
            return sent.Count > 0 ? sent : null;
        });
        Assert.Equal(["On it"], texts);
    }

    [Fact]
    public async Task Should_refuse_unsigned_forged_and_stale_requests_and_answer_Slacks_url_check()
    {
        const string challenge = """{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        using var unsigned = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/slack/events") { Content = new StringContent(challenge, System.Text.Encoding.UTF8, "application/json") });
        using var forged = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", challenge, "application/json", "not-the-signing-secret"));
        using var stale = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", challenge, "application/json", GatewayHost.SlackSigningSecret,
            DateTimeOffset.UtcNow.AddMinutes(-6)));
        using var forgedPress = await SendAsync(SampleWebhooks.SlackSigned("/slack/interactivity", "payload=%7B%7D", "application/x-www-form-urlencoded", "wrong"));
        using var notJson = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", "{not json", "application/json", GatewayHost.SlackSigningSecret));
        using var valid = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", challenge, "application/json", GatewayHost.SlackSigningSecret));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest),
            (unsigned.StatusCode, forged.StatusCode, stale.StatusCode, forgedPress.StatusCode, notJson.StatusCode));
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            (await valid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("challenge").GetString());
    }

    [Fact]
    public async Task Should_retry_a_delivery_it_cannot_read_without_holding_up_the_others()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var broken = Guid.NewGuid();
        await gateway.Services.GetRequiredService<DeliveryStore>().EnqueueAsync(agent.AgentId, broken, "conversation.assigned", "{\"not\":\"an event\"}"u8.ToArray(),
            DateTimeOffset.UtcNow, CancellationToken.None, Guid.NewGuid());

        var conversation = await gateway.AssignAsync(agent.AgentId);

        await CallAsync("chat.postMessage", conversation.Id.ToString(), c => c.Status == 200);
        var pending = await Eventually.ValueAsync("the unreadable delivery to be pending with its error", async () => (await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/webhook-deliveries?status=pending&limit=1000"))
            .EnumerateArray().Select(d => (JsonElement?)d).FirstOrDefault(d => d!.Value.GetProperty("sourceMessageId").GetGuid() == broken
                && d.Value.GetProperty("lastError").ValueKind == JsonValueKind.String));
        Assert.Contains("KeyNotFoundException", pending.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_Slack_target_without_the_agents_Slack_user()
    {
        using var missing = await gateway.Admin.PostAsJsonAsync("/admin/agents/anna/slack-targets", new { channel = "C0123456" });
        using var badChannel = await gateway.Admin.PostAsJsonAsync("/admin/agents/anna/slack-targets", new { slackUserId = "U0123456", channel = "#general" });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (missing.StatusCode, badChannel.StatusCode));
        Assert.Equal("slackUserId", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    /// <summary>Every string in a JSON value (the text Slack would show, and the ids), one per line.</summary>
    [Fact]
    public async Task Should_close_and_transfer_from_the_buttons_of_a_conversations_thread_as_its_agent_only()
    {
        var agent = await gateway.AgentAsync(slack: true);
        await gateway.AgentAsync(slack: true); // another agent's Slack user, who may not act on this one's conversation
        await using var transfers = await gateway.Broker.ObserveAsync<TransferConversation>();
        await using var closes = await gateway.Broker.ObserveAsync<CloseConversation>();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var opening = await OpeningAsync(conversation.Id);
        Assert.Contains(SlackMessages.TransferAction, Texts(opening.Body.GetProperty("blocks")));
        Assert.Contains(SlackMessages.CloseAction, Texts(opening.Body.GetProperty("blocks")));

        using var transfer = await SendAsync(Press(opening, agent.SlackUserId!, SlackMessages.TransferAction, conversation.Id, triggerId: "trig-1"));
        Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        var form = await CallAsync("views.open", "trig-1");
        Assert.Equal(conversation.Id.ToString(), form.Body.GetProperty("view").GetProperty("private_metadata").GetString());

        using var toSelf = await SendAsync(Submit(agent.SlackUserId!, conversation.Id, agent.AgentId, warm: false, note: null));
        var errors = await toSelf.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("errors", errors.GetProperty("response_action").GetString());
        Assert.Contains("is you", errors.GetProperty("errors").GetProperty(SlackMessages.TransferTo).GetString());

        using var submitted = await SendAsync(Submit(agent.SlackUserId!, conversation.Id, "team:Billing", warm: true, note: "invoice question"));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var sent = await transfers.WaitForAsync(t => t.ConversationId == conversation.Id);
        Assert.Equal((agent.AgentId, null, "billing", true, "invoice question"), (sent.RequestedBy, sent.ToAgentId, sent.ToTeam, sent.Warm, sent.Note));

        using var stranger = await SendAsync(Press(opening, "U0STRANGER", SlackMessages.CloseAction, conversation.Id));
        await CallAsync("chat.postEphemeral", "not set up as an agent", c => c.Body.GetProperty("user").GetString() == "U0STRANGER");
        using var closed = await SendAsync(Press(opening, agent.SlackUserId!, SlackMessages.CloseAction, conversation.Id));
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var close = await closes.WaitForAsync(c => c.ConversationId == conversation.Id);
        Assert.Equal((agent.AgentId, "closed in Slack"), (close.ClosedBy, close.Reason));
        Assert.Single(closes.Messages, c => c.ConversationId == conversation.Id);
    }

    [Fact]
    public async Task Should_show_what_agents_wrote_about_the_customer_and_keep_a_note_from_the_note_form()
    {
        var agent = await gateway.AgentAsync(slack: true);
        await using var notes = await gateway.Broker.ObserveAsync<AnnotateCustomer>();
        var conversation = await gateway.AssignAsync(agent.AgentId, tags: ["vip"], notes:
        [
            new CustomerNote { NoteId = Guid.NewGuid(), Text = "Prefers a call after 5 pm <!here>", Author = "anna", WrittenAt = DateTimeOffset.UtcNow.AddDays(-2) },
        ]);
        var opening = await OpeningAsync(conversation.Id);
        var blocks = Texts(opening.Body.GetProperty("blocks"));
        Assert.Contains("Prefers a call after 5 pm &lt;!here&gt;", blocks);
        Assert.Contains("vip", blocks);

        using var pressed = await SendAsync(Press(opening, agent.SlackUserId!, SlackMessages.NoteAction, conversation.Id, triggerId: "trig-note"));
        var form = await CallAsync("views.open", "trig-note");
        Assert.Equal(SlackMessages.NoteForm, form.Body.GetProperty("view").GetProperty("callback_id").GetString());
        using var badTags = await SendAsync(SampleWebhooks.SlackNoteForm("", GatewayHost.SlackSigningSecret, agent.SlackUserId!, conversation.Id, "ok", "vip, two!"));
        var errors = await badTags.Content.ReadFromJsonAsync<JsonElement>();
        using var kept = await SendAsync(SampleWebhooks.SlackNoteForm("", GatewayHost.SlackSigningSecret, agent.SlackUserId!, conversation.Id,
            "Her parcel was resent on Monday.", "returns, -vip", "Maria Grazia Rossi"));

        Assert.Equal(HttpStatusCode.OK, pressed.StatusCode);
        Assert.Contains("'two!' is not a tag", errors.GetProperty("errors").GetProperty(SlackMessages.NoteTags).GetString());
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var sent = await notes.WaitForAsync(n => n.ConversationId == conversation.Id);
        Assert.Equal((agent.AgentId, "Her parcel was resent on Monday.", "returns", "vip", "Maria Grazia Rossi"),
            (sent.AgentId, sent.Note, Assert.Single(sent.AddTags), Assert.Single(sent.RemoveTags), sent.CustomerName));
        Assert.Single(notes.Messages);
    }

    /// <summary>Follow up… opens the form; the follow-up shows in the thread with a button that cancels it; a bad number of days is said on the form.</summary>
    [Fact]
    public async Task Should_schedule_a_follow_up_from_the_form_and_cancel_it_from_its_button()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var opening = await OpeningAsync(conversation.Id);

        using var pressed = await SendAsync(Press(opening, agent.SlackUserId!, SlackMessages.FollowUpAction, conversation.Id, triggerId: "trig-follow"));
        var form = await CallAsync("views.open", "trig-follow");
        using var badDays = await SendAsync(SampleWebhooks.SlackFollowUpForm("", GatewayHost.SlackSigningSecret, agent.SlackUserId!, conversation.Id, "Arrived?", "soon"));
        using var scheduled = await SendAsync(SampleWebhooks.SlackFollowUpForm("", GatewayHost.SlackSigningSecret, agent.SlackUserId!, conversation.Id,
            "Did the replacement arrive?", "3"));

        Assert.Equal(SlackMessages.FollowUpForm, form.Body.GetProperty("view").GetProperty("callback_id").GetString());
        Assert.Contains("number of days", (await badDays.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(SlackMessages.FollowUpDays).GetString());
        Assert.Equal(HttpStatusCode.OK, scheduled.StatusCode);
        var line = await CallAsync("chat.postMessage", "Follow-up scheduled", c => c.Body.GetProperty("thread_ts").GetString() == opening.Ts);
        Assert.Contains("Did the replacement arrive?", line.Body.GetProperty("text").GetString());
        var followUpId = Guid.Parse(line.Body.GetProperty("blocks")[1].GetProperty("elements")[0].GetProperty("value").GetString()!);

        using var cancel = await SendAsync(Press(line, agent.SlackUserId!, SlackMessages.FollowUpCancelAction, followUpId));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await CallAsync("chat.postMessage", "Follow-up cancelled", c => c.Body.GetProperty("thread_ts").GetString() == opening.Ts);
        await using var connection = await gateway.Database.DataSource.OpenConnectionAsync();
        Assert.Equal("cancelled", await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "select status from gateway_follow_ups where id = @followUpId", new { followUpId }));
    }

    [Fact]
    public async Task Should_offer_a_warm_transfer_with_buttons_and_answer_it_from_Slack()
    {
        var agent = await gateway.AgentAsync(slack: true);
        await using var answers = await gateway.Broker.ObserveAsync<AgentAnsweredTransfer>();
        var conversation = new { Id = Guid.NewGuid(), CustomerId = Guid.NewGuid() };
        var transferId = Guid.NewGuid();
        await gateway.Broker.PublishAsync(new ConversationTransferOffered
        {
            TransferId = transferId, ConversationId = conversation.Id, CustomerId = conversation.CustomerId, FromAgentId = "colleague", ToAgentId = agent.AgentId,
            Channel = "whatsapp", Note = "Spanish speaker", CustomerDisplayName = "Maria Rossi", DecisionId = Guid.NewGuid(),
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(2), OfferedAt = DateTimeOffset.UtcNow,
        });

        var offer = await CallAsync("chat.postMessage", transferId.ToString(), c => c.Status == 200);
        Assert.Contains("Spanish speaker", Texts(offer.Body.GetProperty("blocks")));
        using var pressed = await SendAsync(Press(offer, agent.SlackUserId!, SlackMessages.TransferAcceptAction, transferId));

        Assert.Equal(HttpStatusCode.OK, pressed.StatusCode);
        var answer = await answers.WaitForAsync(a => a.TransferId == transferId);
        Assert.Equal((agent.AgentId, true), (answer.AgentId, answer.Accepted));
        var update = await CallAsync("chat.update", offer.Ts!);
        Assert.DoesNotContain(SlackMessages.TransferAcceptAction, Texts(update.Body.GetProperty("blocks")));
        using var again = await SendAsync(Press(offer, agent.SlackUserId!, SlackMessages.TransferDeclineAction, transferId));
        await CallAsync("chat.update", "answered this transfer already", c => c.Body.GetProperty("ts").GetString() == offer.Ts);
        Assert.Single(answers.Messages, a => a.TransferId == transferId);
    }

    [Fact]
    public async Task Should_tell_a_busy_owner_in_Slack_who_waits_for_them_and_until_when()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = new Conversation(Guid.NewGuid(), Guid.NewGuid(), "whatsapp", "+15550001111",
            new CustomerAddress { Kind = "phone", Value = "+393331234567", DisplayName = "Maria Rossi" });
        await gateway.Broker.PublishAsync(conversation.Message("Il mio ordine non è arrivato", null, "held"));
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        await Eventually.TrueAsync("the held message stored", async () =>
            (await gateway.Services.GetRequiredService<ConversationStore>().GetAsync(conversation.Id, CancellationToken.None)) is not null);

        await gateway.Broker.PublishAsync(new ConversationHeld
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, Channel = "whatsapp", HeldFor = [agent.AgentId], HoldUntil = until,
            Reason = RoutingReasons.PreferredBusy, DecisionId = Guid.NewGuid(), HeldAt = DateTimeOffset.UtcNow,
        });

        var notice = await CallAsync("chat.postMessage", "waiting for you", c => c.Body.GetProperty("channel").GetString() == agent.SlackUserId);
        var text = notice.Body.GetProperty("text").GetString()!;
        Assert.Contains($"Maria Rossi is waiting for you on WhatsApp until {until.UtcDateTime:HH:mm} UTC", text);
        Assert.Contains("Il mio ordine non è arrivato", text);
    }

    [Fact]
    public async Task Should_show_the_agents_conversations_in_the_Home_tab_and_set_presence_from_it()
    {
        var agent = await gateway.AgentAsync(slack: true);
        await using var presence = await gateway.Broker.ObserveAsync<AgentPresenceChanged>();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await OpeningAsync(conversation.Id);

        using var opened = await SendAsync(SampleWebhooks.SlackSigned("/slack/events", JsonSerializer.Serialize(new
        {
            type = "event_callback", team_id = "T0001", api_app_id = "A0001", event_id = "Ev" + Guid.NewGuid().ToString("N")[..10], event_time = 1700000000,
            @event = new { type = "app_home_opened", user = agent.SlackUserId, channel = "D0001", tab = "home", event_ts = "1700000000.1" },
        }), "application/json", GatewayHost.SlackSigningSecret));

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var home = await CallAsync("views.publish", conversation.Id.ToString(), c => c.Body.GetProperty("user_id").GetString() == agent.SlackUserId);
        Assert.Equal("home", home.Body.GetProperty("view").GetProperty("type").GetString());
        Assert.Contains("Maria Rossi", Texts(home.Body.GetProperty("view")));
        // Slack refuses a view whose blocks share an id
        var ids = home.Body.GetProperty("view").GetProperty("blocks").EnumerateArray()
            .Where(b => b.TryGetProperty("block_id", out _)).Select(b => b.GetProperty("block_id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions", user = new { id = agent.SlackUserId, username = "agent", team_id = "T0001" }, api_app_id = "A0001", trigger_id = "trig-home",
            container = new { type = "view", view_id = "V0001" }, view = new { id = "V0001", type = "home" },
            actions = new[] { new { action_id = SlackMessages.PresencePrefix + "away", block_id = "presence", value = "away", type = "button", action_ts = "1700000000.2" } },
        });
        using var away = await SendAsync(SampleWebhooks.SlackSigned("/slack/interactivity", "payload=" + Uri.EscapeDataString(payload),
            "application/x-www-form-urlencoded", GatewayHost.SlackSigningSecret));

        Assert.Equal(HttpStatusCode.OK, away.StatusCode);
        Assert.Equal("away", (await presence.WaitForAsync(p => p.AgentId == agent.AgentId)).Status);
        await CallAsync("views.publish", "You are away.", c => c.Body.GetProperty("user_id").GetString() == agent.SlackUserId);
    }

    private static HttpRequestMessage Submit(string user, Guid conversationId, string to, bool warm, string? note) =>
        SampleWebhooks.SlackTransferForm("", GatewayHost.SlackSigningSecret, user, conversationId, to, warm, note);

    private static string Texts(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()! + "\n",
        JsonValueKind.Array => string.Concat(element.EnumerateArray().Select(Texts)),
        JsonValueKind.Object => string.Concat(element.EnumerateObject().Select(p => Texts(p.Value))),
        _ => "",
    };

    /// <summary>A button press as Slack sends it: form-encoded, the JSON in "payload".</summary>
    private static HttpRequestMessage Press(SlackCall opening, string user, string actionId, Guid conversationId, string? triggerId = null)
    {
        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions",
            user = new { id = user, username = "someone", team_id = "T0001" },
            api_app_id = "A0001",
            trigger_id = triggerId ?? "trig-0",
            container = new { type = "message", message_ts = opening.Ts, channel_id = opening.Channel, is_ephemeral = false },
            channel = new { id = opening.Channel, name = "directmessage" },
            message = new { type = "message", ts = opening.Ts, text = opening.Body.GetProperty("text").GetString(), blocks = opening.Body.GetProperty("blocks") },
            response_url = "https://hooks.slack.com/actions/T0001/1/x",
            actions = new[] { new { action_id = actionId, block_id = SlackMessages.OfferBlock, value = conversationId.ToString(), type = "button", action_ts = "1700000000.1" } },
        });
        return SampleWebhooks.SlackSigned("/slack/interactivity", "payload=" + Uri.EscapeDataString(payload), "application/x-www-form-urlencoded",
            GatewayHost.SlackSigningSecret);
    }
}
