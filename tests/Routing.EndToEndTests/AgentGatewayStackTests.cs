using Routing.Samples;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// An agent's whole loop through the running stack: a signed SMS webhook in, routed to the customer's owner,
/// delivered to the agent's tool as a signed webhook with the customer's context; the agent replies through the
/// gateway's API and the reply reaches the provider sandbox as Twilio's API expects it; its status and the close
/// come back to the tool. The same loop through Slack (a thread in the agent's direct messages, the answer written in
/// it) and through email (the conversation in the agent's mailbox, the answer mailed to its signed reply address).
/// </summary>
public sealed class AgentGatewayStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
    private TestBroker _broker = null!;
    private Receiver _tool = null!;
    private HttpClient _admin = null!;
    private readonly List<string> _agents = [];

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
        _tool = await Receiver.StartAsync();
        _admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
    }

    public async Task DisposeAsync()
    {
        // Offline once done, so that the stack's later customers (other tests, make run's story) do not go to them.
        foreach (var agentId in _agents)
        {
            await _routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{agentId}/presence", new { status = "offline" });
        }
        _admin.Dispose();
        await _tool.DisposeAsync();
        await _broker.DisposeAsync();
        _http.Dispose();
        _routing.Dispose();
    }

    [Fact]
    public async Task Should_deliver_a_customers_sms_to_the_owners_tool_and_send_the_owners_reply_back_by_sms()
    {
        var agentId = await AgentAsync();
        var secret = (await (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = _tool.Url + "/hooks" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        using var agent = await AgentApiAsync(agentId);
        var (phone, second) = await OwnedConversationAsync(agentId);

        var assigned = await WebhookAsync(secret, "conversation.assigned", second.ConversationId);
        var data = assigned.GetProperty("data");
        Assert.Equal("you are the customer's owner", data.GetProperty("routing").GetProperty("summary").GetString());
        Assert.Equal([agentId], data.GetProperty("customer").GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains(data.GetProperty("customer").GetProperty("addresses").EnumerateArray(), a => a.GetProperty("value").GetString() == phone);
        Assert.Contains(data.GetProperty("customer").GetProperty("earlierMessages").EnumerateArray(), m => m.GetProperty("text").GetString() == "Hello, I ordered a sofa");
        Assert.Equal("When will the sofa arrive?", data.GetProperty("messages").EnumerateArray().Last().GetProperty("text").GetString());

        var text = $"Tomorrow morning ({Guid.NewGuid():N})";
        using var reply = await agent.PostAsJsonAsync($"/conversations/{second.ConversationId}/replies", new { text });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);

        var status = await WebhookAsync(secret, "reply.status", second.ConversationId, e => e.GetProperty("data").GetProperty("status").GetString() == "sent");
        var providerId = status.GetProperty("data").GetProperty("providerMessageId").GetString();
        var sent = (await LocalStack.SentAsync(_http)).EnumerateArray().Single(r => r.GetProperty("providerMessageId").GetString() == providerId);
        Assert.Equal(("twilio", text, phone, "+15557654321"), (sent.GetProperty("provider").GetString(), sent.GetProperty("body").GetProperty("Body").GetString(),
            sent.GetProperty("body").GetProperty("To").GetString(), sent.GetProperty("body").GetProperty("From").GetString()));

        Assert.Equal(HttpStatusCode.Accepted, (await agent.PostAsJsonAsync($"/conversations/{second.ConversationId}/close", new { reason = "answered" })).StatusCode);
        var closed = await WebhookAsync(secret, "conversation.closed", second.ConversationId);
        Assert.Equal(agentId, closed.GetProperty("data").GetProperty("closedBy").GetString());
        var conversation = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{second.ConversationId}");
        Assert.Equal("closed", conversation.GetProperty("status").GetString());

        // the service levels: routing heard from the adapter that the owner's reply went out, the first response
        var measures = await Eventually.ValueAsync("the first response in routing", async () =>
            (await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{second.ConversationId}")).GetProperty("measures") is
                { } m && m.GetProperty("firstResponseAt").ValueKind == JsonValueKind.String ? (JsonElement?)m : null);
        Assert.True(measures.GetProperty("firstResponseAt").GetDateTimeOffset() >= conversation.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(measures.GetProperty("handleSeconds").GetDouble() > 0);
        Assert.True(measures.GetProperty("preferredHit").GetBoolean()); // the owner took it
        var from = Uri.EscapeDataString(conversation.GetProperty("createdAt").GetDateTimeOffset().AddSeconds(-1).ToString("O"));
        var report = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/reports/service-levels?from={from}&channel=sms");
        Assert.True(report.GetProperty("total").GetProperty("answered").GetInt64() >= 1);
        Assert.True(report.GetProperty("total").GetProperty("preferredAgent").GetProperty("hits").GetInt64() >= 1);
    }

    /// <summary>
    /// A photo a customer sends by MMS and on WhatsApp: the adapters pass on the provider's reference, the gateway fetches the
    /// file from the provider (the sandbox, with the dev credentials) and the agent opens it, from the API and from the
    /// signed link in their Slack thread.
    /// </summary>
    [Fact]
    public async Task Should_open_a_photo_the_customer_sent_by_mms_and_on_whatsapp_from_the_api_and_from_slack()
    {
        var agentId = await AgentAsync();
        var secret = (await (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = _tool.Url + "/hooks" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var slackUser = "U" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/slack-targets", new { slackUserId = slackUser })).EnsureSuccessStatusCode();
        using var agent = await AgentApiAsync(agentId);
        var (phone, conversation) = await OwnedConversationAsync(agentId);
        await WebhookAsync(secret, "conversation.assigned", conversation.ConversationId);

        var sid = "MM" + Guid.NewGuid().ToString("N");
        var media = SampleMedia.TwilioMediaUrl(LocalStack.Sandbox, LocalStack.Secrets["Twilio__AccountSid"], sid, "ME" + Guid.NewGuid().ToString("N"));
        using (var mms = SampleWebhooks.TwilioSms(LocalStack.Sms, LocalStack.Secrets["Twilio__AuthToken"], sid, phone, "+15557654321", "The sofa arrived like this",
                   [(media, "image/jpeg")]))
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(mms)).StatusCode);
        }
        var wamid = "wamid.photo" + Guid.NewGuid().ToString("N");
        using (var photo = SampleWebhooks.WhatsAppImage(LocalStack.WhatsApp, LocalStack.Secrets["WhatsApp__AppSecret"], wamid, phone.TrimStart('+'), "Sofa Customer",
                   Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture), "And from the side"))
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(photo)).StatusCode);
        }

        foreach (var messageId in new[] { MessageIds.ForInbound("sms", sid), MessageIds.ForInbound("whatsapp", wamid) })
        {
            var received = await WebhookAsync(secret, "message.received", conversation.ConversationId,
                e => e.GetProperty("data").GetProperty("message").GetProperty("id").GetGuid() == messageId);
            var link = received.GetProperty("data").GetProperty("message").GetProperty("attachments")[0].GetProperty("url").GetString()!;
            Assert.StartsWith("/attachments/", link);
            var opened = await agent.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
            // Slack's reader opens it by the signed link in the thread, with no token
            var pattern = new System.Text.RegularExpressions.Regex("<(https?://[^|>]+" + link + @"/open\?[^|>]+)\|");
            var signed = await Eventually.ValueAsync("the signed link in the agent's Slack thread", async () =>
                (await LocalStack.SentAsync(_http)).EnumerateArray()
                    .Where(r => r.GetProperty("provider").GetString() == "slack")
                    .SelectMany(r => JsonStrings.Of(r.GetProperty("body"))).Select(text => pattern.Match(text))
                    .Where(m => m.Success).Select(m => m.Groups[1].Value).FirstOrDefault());
            var fromSlack = await _http.GetAsync(signed);
            Assert.Equal(HttpStatusCode.OK, fromSlack.StatusCode);
            Assert.Equal(SampleMedia.Png, await fromSlack.Content.ReadAsByteArrayAsync());
        }
    }

    /// <summary>
    /// An agent's photo reaches the customer natively on every channel: the provider sandbox fetched it by its signed link
    /// (MMS, WhatsApp, Messenger) or got it uploaded (X), and the mail carries it attached; the bytes are the agent's.
    /// </summary>
    [Theory]
    [InlineData("sms")]
    [InlineData("whatsapp")]
    [InlineData("facebook")]
    [InlineData("twitter")]
    [InlineData("email")]
    [InlineData("telegram")]
    [InlineData("instagram")]
    public async Task Should_deliver_an_agents_photo_to_the_customer_natively(string channel)
    {
        var agentId = await AgentAsync(channel);
        using var agent = await AgentApiAsync(agentId);
        var conversationId = await OwnedOnAsync(agentId, channel);
        await Eventually.TrueAsync("the gateway to know the conversation is the agent's",
            async () => (await agent.GetAsync($"/conversations/{conversationId}")).StatusCode == HttpStatusCode.OK);
        var upload = new ByteArrayContent(SampleMedia.Png);
        upload.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var photo = (await (await agent.PostAsync("/attachments?name=new-leg.png", upload)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetGuid();

        var text = $"The new leg ({Guid.NewGuid():N})";
        using var reply = await agent.PostAsJsonAsync($"/conversations/{conversationId}/replies", new { text, attachments = new[] { photo } });

        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SampleMedia.Png));
        if (channel == "email")
        {
            var address = _customerAddress!;
            var mail = await Eventually.ValueAsync("the reply with its photo in the customer's mailbox", async () =>
            {
                using var client = await MailServers.ConnectAsync(address);
                await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
                MimeKit.MimeMessage? found = null;
                for (var i = 0; i < client.Inbox.Count && found is null; i++)
                {
                    var candidate = await client.Inbox.GetMessageAsync(i);
                    found = candidate.TextBody?.Contains(text, StringComparison.Ordinal) == true ? candidate : null;
                }
                await client.DisconnectAsync(true);
                return found;
            });
            var attached = Assert.IsType<MimeKit.MimePart>(Assert.Single(mail.Attachments));
            using var content = new MemoryStream();
            await attached.Content!.DecodeToAsync(content);
            Assert.Equal("new-leg.png", attached.FileName);
            Assert.Equal(SampleMedia.Png, content.ToArray());
            return;
        }
        if (channel == "twitter")
        {
            var dm = await SentAsync("the DM with the photo", r => r.GetProperty("provider").GetString() == "twitter" && BodyField(r, "text") == text);
            var mediaId = dm.GetProperty("body").GetProperty("attachments")[0].GetProperty("media_id").GetString();
            var uploaded = await SentAsync("the photo's upload", r => r.GetProperty("providerMessageId").GetString() == mediaId);
            Assert.Equal(("twitter-media", sha), (uploaded.GetProperty("provider").GetString(), uploaded.GetProperty("media")[0].GetProperty("sha256").GetString()));
            return;
        }
        if (channel == "telegram")
        {
            // uploaded by the bot (sendPhoto), the text as its caption
            var uploaded = await SentAsync("the Telegram photo", r => r.GetProperty("provider").GetString() == "telegram" && BodyField(r, "caption") == text);
            Assert.Equal(("/telegram/sendPhoto", sha), (uploaded.GetProperty("path").GetString(), uploaded.GetProperty("media")[0].GetProperty("sha256").GetString()));
            return;
        }
        // the provider fetched the photo by its link, without credentials, and got the agent's bytes
        var provider = channel == "sms" ? "twilio" : channel;
        var sent = await SentAsync($"the {channel} message with the photo", r => r.GetProperty("provider").GetString() == provider
            && r.GetProperty("media") is { ValueKind: JsonValueKind.Array } media && media.GetArrayLength() > 0
            && media[0].GetProperty("url").GetString()!.Contains(photo.ToString(), StringComparison.Ordinal));
        var fetched = sent.GetProperty("media")[0];
        Assert.Equal((200, "image/png", sha), (fetched.GetProperty("status").GetInt32(), fetched.GetProperty("contentType").GetString(), fetched.GetProperty("sha256").GetString()));
        // the text: the MMS's body and the WhatsApp photo's caption; Messenger's and Instagram's own message before the file
        var withText = channel is "facebook" or "instagram"
            ? await SentAsync($"the {channel} text before the file", r => r.GetProperty("provider").GetString() == channel
                && r.GetProperty("body").ToString().Contains(text, StringComparison.Ordinal))
            : sent;
        Assert.Contains(text, withText.GetProperty("body").ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A customer's mail with a photo, read by the email adapter over IMAP: the adapter keeps the part and signs its link,
    /// the gateway fetches it from there, and the agent opens it through the agent API.
    /// </summary>
    [Fact]
    public async Task Should_open_the_photo_a_customer_attached_to_a_mail()
    {
        var agentId = await AgentAsync("email");
        using var agent = await AgentApiAsync(agentId);
        var conversationId = await OwnedOnAsync(agentId, "email");
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var messageId = $"imap-photo-{Guid.NewGuid():N}@example.net";
        var body = new MimeKit.BodyBuilder { TextBody = "Here is the photo of the broken leg." };
        body.Attachments.Add("broken-leg.png", SampleMedia.Png, MimeKit.ContentType.Parse("image/png"));
        var mail = new MimeKit.MimeMessage { Subject = "Re: The sofa", MessageId = messageId, Body = body.ToMessageBody() };
        mail.From.Add(MimeKit.MailboxAddress.Parse(_customerAddress!));
        mail.To.Add(MimeKit.MailboxAddress.Parse(LocalStack.SupportMailbox));
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw);

        await MailServers.DeliverAsync(_customerAddress!, LocalStack.SupportMailbox, raw.ToArray());

        var message = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("email", messageId));
        Assert.Equal(conversationId, message.ConversationId);
        var link = await Eventually.ValueAsync("the photo's link in the conversation", async () =>
            (await agent.GetFromJsonAsync<JsonElement>($"/conversations/{conversationId}")).GetProperty("messages").EnumerateArray()
                .Where(m => m.GetProperty("id").GetGuid() == message.MessageId)
                .Select(m => m.GetProperty("attachments")[0].GetProperty("url").GetString()).FirstOrDefault());
        var opened = await agent.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
    }

    private string? _customerAddress;

    /// <summary>A customer on <paramref name="channel"/> whose second conversation routing gives the agent (their preferred agent by then).</summary>
    private async Task<Guid> OwnedOnAsync(string agentId, string channel)
    {
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var unique = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // off email, the address derives from a phone-like number; by email, it is a mailbox the test can read
        var address = channel == "email" ? MailServers.NewMailbox("customer", "example.net") : "+447700" + unique;
        _customerAddress = address;
        async Task<MessageRouted> WriteAsync(string text)
        {
            var (request, messageId) = Webhook(text);
            using (request)
            {
                Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
            }
            return await routed.WaitForAsync(m => m.MessageId == messageId);
        }
        (HttpRequestMessage, Guid) Webhook(string text)
        {
            if (channel != "email")
            {
                var (request, messageId, _, _) = CustomerWebhooks.For(channel, address, text);
                return (request, messageId);
            }
            var mailId = $"e2e-{Guid.NewGuid():N}@example.net";
            return (SampleWebhooks.MailgunEmail(LocalStack.Email, LocalStack.Secrets["Email__Mailgun__SigningKey"], mailId, address, "E2E Customer", "The sofa", text),
                MessageIds.ForInbound("email", mailId));
        }
        var first = await WriteAsync($"My sofa's leg broke ({unique})");
        (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/customers/{first.CustomerId}/preferred-agents", new[] { agentId })).EnsureSuccessStatusCode();
        (await _routing.PostAsync($"{LocalStack.Routing}/conversations/{first.ConversationId}/close", null)).EnsureSuccessStatusCode();
        var second = await WriteAsync($"Any news about the leg? ({unique})");
        Assert.Equal(agentId, second.AgentId);
        return second.ConversationId;
    }

    [Fact]
    public async Task Should_deliver_a_customers_sms_into_the_owners_Slack_and_send_the_thread_reply_back_by_sms()
    {
        var agentId = await AgentAsync();
        var slackUser = "U" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var target = (await (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/slack-targets", new { slackUserId = slackUser })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var (phone, conversation) = await OwnedConversationAsync(agentId);

        var opening = await SlackOpeningAsync(conversation.ConversationId, slackUser, target);
        Assert.Contains("you are the customer", opening.GetProperty("body").GetProperty("blocks").ToString());

        var text = $"It arrives on Thursday ({Guid.NewGuid():N})";
        var ts = await SlackThreadReplyAsync(opening, slackUser, text);

        var sms = await SentAsync("the thread reply as an SMS", r => r.GetProperty("provider").GetString() == "twilio" && BodyField(r, "Body") == text);
        Assert.Equal((phone, "+15557654321"), (sms.GetProperty("body").GetProperty("To").GetString(), sms.GetProperty("body").GetProperty("From").GetString()));
        // Its "sent" comes back as a reaction on the agent's message.
        await SentAsync("the sent reaction in Slack", r => r.GetProperty("provider").GetString() == "slack" && r.GetProperty("path").GetString()!.EndsWith("reactions.add", StringComparison.Ordinal)
            && BodyField(r, "timestamp") == ts);
    }

    /// <summary>
    /// The channels added through the adapter kit, end to end: the customer writes on Telegram (with a photo, which the gateway
    /// fetches from Telegram with the bot's token and the agent opens) or Instagram, the conversation reaches the owner's
    /// Slack, and the agent's thread reply reaches the provider as its API expects it.
    /// </summary>
    [Theory]
    [InlineData("telegram")]
    [InlineData("instagram")]
    public async Task Should_deliver_a_customers_message_into_the_owners_Slack_and_send_the_thread_reply_back_on_the_channel(string channel)
    {
        var agentId = await AgentAsync(channel);
        var slackUser = "U" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var target = (await (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/slack-targets", new { slackUserId = slackUser })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var agent = await AgentApiAsync(agentId);
        var conversationId = await OwnedOnAsync(agentId, channel);
        var customer = _customerAddress!.TrimStart('+');
        if (channel == "telegram")
        {
            await using var routed = await _broker.ObserveAsync<MessageRouted>();
            var messageNumber = Random.Shared.NextInt64(1, 1_000_000_000);
            using (var photo = SampleWebhooks.TelegramText(LocalStack.Telegram, LocalStack.Secrets["Telegram__SecretToken"], messageNumber, messageNumber,
                       long.Parse(customer, System.Globalization.CultureInfo.InvariantCulture), "E2E", "Customer", null, "The leg, from below",
                       photoFileId: "AgACAgIAAxkBAAIe2e" + Guid.NewGuid().ToString("N")))
            {
                Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(photo)).StatusCode);
            }
            var message = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("telegram", $"{customer}:{messageNumber}"));
            var link = await Eventually.ValueAsync("the photo's link in the conversation", async () =>
                (await agent.GetFromJsonAsync<JsonElement>($"/conversations/{conversationId}")).GetProperty("messages").EnumerateArray()
                    .Where(m => m.GetProperty("id").GetGuid() == message.MessageId)
                    .Select(m => m.GetProperty("attachments")[0].GetProperty("url").GetString()).FirstOrDefault());
            var opened = await agent.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
        }

        var opening = await SlackOpeningAsync(conversationId, slackUser, target);
        var text = $"A new leg is on its way ({Guid.NewGuid():N})";
        var ts = await SlackThreadReplyAsync(opening, slackUser, text);

        if (channel == "telegram")
        {
            var sent = await SentAsync("the thread reply on Telegram", r => r.GetProperty("provider").GetString() == "telegram" && BodyField(r, "text") == text);
            Assert.Equal(("/telegram/sendMessage", customer), (sent.GetProperty("path").GetString(), BodyField(sent, "chat_id")));
        }
        else
        {
            var sent = await SentAsync("the thread reply on Instagram", r => r.GetProperty("provider").GetString() == "instagram"
                && r.GetProperty("body").GetProperty("message").TryGetProperty("text", out var t) && t.GetString() == text);
            Assert.Equal(("/instagram/v23.0/me/messages", customer, "RESPONSE"), (sent.GetProperty("path").GetString(),
                sent.GetProperty("body").GetProperty("recipient").GetProperty("id").GetString(), BodyField(sent, "messaging_type")));
        }
        await SentAsync("the sent reaction in Slack", r => r.GetProperty("provider").GetString() == "slack" && r.GetProperty("path").GetString()!.EndsWith("reactions.add", StringComparison.Ordinal)
            && BodyField(r, "timestamp") == ts);
    }

    [Fact]
    public async Task Should_mail_a_customers_sms_to_the_owner_and_send_the_emailed_reply_back_by_sms()
    {
        var agentId = await AgentAsync();
        var mailbox = MailServers.NewMailbox("e2e-agent");
        (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/email-targets", new { address = mailbox })).EnsureSuccessStatusCode();
        var (phone, conversation) = await OwnedConversationAsync(agentId);

        var opening = await Eventually.ValueAsync($"the conversation's first mail in {mailbox}", async () =>
        {
            using var client = await MailServers.ConnectAsync(mailbox);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            MimeKit.MimeMessage? opening = null;
            for (var i = 0; i < client.Inbox.Count && opening is null; i++)
            {
                var mail = await client.Inbox.GetMessageAsync(i);
                opening = mail.Headers["X-Routing-Conversation"] == conversation.ConversationId.ToString() && mail.InReplyTo is null ? mail : null;
            }
            await client.DisconnectAsync(true);
            return opening;
        });
        Assert.Contains("When will the sofa arrive?", opening.TextBody);
        Assert.Contains("Hello, I ordered a sofa", opening.TextBody!.Split("Earlier conversations:")[1]);
        var replyTo = opening.ReplyTo.Mailboxes.Single().Address;

        var text = $"Thursday, between 8 and 12 ({Guid.NewGuid():N})";
        await MailServers.ReplyAsync(mailbox, replyTo, text, opening);

        var sms = await SentAsync("the mailed reply as an SMS", r => r.GetProperty("provider").GetString() == "twilio" && BodyField(r, "Body") == text);
        Assert.Equal(phone, sms.GetProperty("body").GetProperty("To").GetString());
    }

    [Fact]
    public async Task Should_transfer_from_the_agent_api_cold_and_warm_with_the_receipt_and_context_reaching_each_agents_tool()
    {
        var (anna, ben, carl) = (await AgentAsync(), await AgentAsync(), await AgentAsync());
        var secrets = new Dictionary<string, string>();
        foreach (var agentId in new[] { anna, ben, carl })
        {
            secrets[agentId] = (await (await _admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = _tool.Url + "/hooks" }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        }
        using var annaApi = await AgentApiAsync(anna);
        using var benApi = await AgentApiAsync(ben);
        using var carlApi = await AgentApiAsync(carl);
        var (_, conversation) = await OwnedConversationAsync(anna);
        var id = conversation.ConversationId;
        await WebhookAsync(secrets[anna], "conversation.assigned", id);

        // cold, to ben: he gets it with anna's note and the customer's messages; anna is told it left her
        var unknown = await annaApi.PostAsJsonAsync($"/conversations/{id}/transfer", new { toAgentId = ben, toTeam = "billing" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var cold = await annaApi.PostAsJsonAsync($"/conversations/{id}/transfer", new { toAgentId = ben, note = "He wants the delivery moved" });
        Assert.Equal(HttpStatusCode.Accepted, cold.StatusCode);

        var toBen = await WebhookAsync(secrets[ben], "conversation.assigned", id, e => e.ToString().Contains("transferred it to you", StringComparison.Ordinal));
        var routing = toBen.GetProperty("data").GetProperty("routing");
        Assert.Equal($"{anna} transferred it to you: He wants the delivery moved", routing.GetProperty("summary").GetString());
        Assert.Equal(RoutingTriggers.Transferred, routing.GetProperty("receipt").GetProperty("trigger").GetString());
        Assert.Contains(toBen.GetProperty("data").GetProperty("messages").EnumerateArray(), m => m.GetProperty("text").GetString() == "When will the sofa arrive?");
        var released = await WebhookAsync(secrets[anna], "conversation.released", id);
        Assert.Equal("you transferred it", released.GetProperty("data").GetProperty("reasonText").GetString());
        var ended = await WebhookAsync(secrets[anna], "transfer.ended", id);
        Assert.Equal($"Transferred to {ben}.", ended.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await annaApi.PostAsJsonAsync($"/conversations/{id}/transfer", new { toAgentId = carl })).StatusCode);

        // warm, to carl: offered while ben keeps it; carl accepts from the agent API and it moves
        Assert.Equal(HttpStatusCode.Accepted, (await benApi.PostAsJsonAsync($"/conversations/{id}/transfer", new { toAgentId = carl, warm = true, note = "Spanish" })).StatusCode);
        var offered = await WebhookAsync(secrets[carl], "transfer.offered", id);
        var transferId = offered.GetProperty("data").GetProperty("transferId").GetGuid();
        Assert.Equal((ben, "Spanish"), (offered.GetProperty("data").GetProperty("fromAgentId").GetString(), offered.GetProperty("data").GetProperty("note").GetString()));
        Assert.Equal(ben, (await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{id}")).GetProperty("agentId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await benApi.PostAsync($"/transfers/{transferId}/accept", null)).StatusCode); // not offered to ben
        Assert.Contains((await carlApi.GetFromJsonAsync<JsonElement>("/me/transfers")).EnumerateArray(), t => t.GetProperty("transferId").GetGuid() == transferId);

        Assert.Equal(HttpStatusCode.Accepted, (await carlApi.PostAsync($"/transfers/{transferId}/accept", null)).StatusCode);

        var toCarl = await WebhookAsync(secrets[carl], "conversation.assigned", id, e => e.ToString().Contains($"{ben} transferred it to you", StringComparison.Ordinal));
        Assert.StartsWith($"{ben} transferred it to you: Spanish", toCarl.GetProperty("data").GetProperty("routing").GetProperty("summary").GetString());
        await WebhookAsync(secrets[ben], "transfer.ended", id, e => e.ToString().Contains($"Transferred to {carl}", StringComparison.Ordinal));
        var now = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{id}");
        Assert.Equal(carl, now.GetProperty("agentId").GetString());
        var transfers = (await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{id}/transfers")).EnumerateArray()
            .Select(t => (t.GetProperty("requestedBy").GetString(), t.GetProperty("status").GetString(), t.GetProperty("warm").GetBoolean())).ToList();
        Assert.Equal([(anna, "done", false), (ben, "done", true)], transfers);
    }

    [Fact]
    public async Task Should_transfer_from_Slack_through_the_form_and_from_email_by_a_command()
    {
        var (anna, ben, carl) = (await AgentAsync(), await AgentAsync(), await AgentAsync());
        var annaSlack = "U" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var annaTarget = (await (await _admin.PostAsJsonAsync($"/admin/agents/{anna}/slack-targets", new { slackUserId = annaSlack })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var benMailbox = MailServers.NewMailbox("e2e-ben");
        (await _admin.PostAsJsonAsync($"/admin/agents/{ben}/email-targets", new { address = benMailbox })).EnsureSuccessStatusCode();
        var carlSecret = (await (await _admin.PostAsJsonAsync($"/admin/agents/{carl}/webhook-targets", new { url = _tool.Url + "/hooks" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var (_, conversation) = await OwnedConversationAsync(anna);
        var id = conversation.ConversationId;

        // Slack: anna presses Transfer… on the conversation's opening message, and submits the form to ben
        var opening = await SentAsync("the conversation's opening in anna's Slack", r => r.GetProperty("provider").GetString() == "slack"
            && BodyField(r, "channel") == annaSlack && r.GetProperty("body").ToString().Contains(id.ToString(), StringComparison.Ordinal));
        Assert.Contains("conversation.transfer", opening.GetProperty("body").GetProperty("blocks").ToString());
        var threadTs = opening.GetProperty("providerMessageId").GetString()!;
        await Eventually.TrueAsync("the opening's delivery to anna's Slack to be done", async () =>
            !(await _admin.GetFromJsonAsync<JsonElement>("/admin/webhook-deliveries?status=pending&limit=1000")).EnumerateArray()
                .Any(d => d.GetProperty("targetId").GetGuid() == annaTarget));
        var secret = LocalStack.Secrets["Gateway__Slack__SigningSecret"];
        var trigger = "trigger-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(SampleWebhooks.SlackButton(LocalStack.Gateway, secret, annaSlack, "conversation.transfer", id.ToString(),
            "D" + annaSlack[1..], threadTs, trigger))).StatusCode);
        await SentAsync("the transfer form", r => r.GetProperty("path").GetString()!.EndsWith("views.open", StringComparison.Ordinal)
            && BodyField(r, "trigger_id") == trigger);
        using (var submitted = await _http.SendAsync(SampleWebhooks.SlackTransferForm(LocalStack.Gateway, secret, annaSlack, id, ben, warm: false,
                   note: "Delivery date, needs the warehouse")))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        // ben gets it by mail, with anna's note; anna's thread says it left her
        var benMail = await Eventually.ValueAsync($"the transferred conversation in {benMailbox}", async () =>
        {
            using var client = await MailServers.ConnectAsync(benMailbox);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            MimeKit.MimeMessage? found = null;
            for (var i = 0; i < client.Inbox.Count && found is null; i++)
            {
                var mail = await client.Inbox.GetMessageAsync(i);
                found = mail.Headers["X-Routing-Conversation"] == id.ToString() && mail.InReplyTo is null ? mail : null;
            }
            await client.DisconnectAsync(true);
            return found;
        });
        Assert.Contains($"{anna} transferred it to you: Delivery date, needs the warehouse", benMail.TextBody);
        await SentAsync("the release in anna's thread", r => r.GetProperty("provider").GetString() == "slack"
            && r.GetProperty("body").TryGetProperty("thread_ts", out var ts) && ts.GetString() == threadTs
            && r.GetProperty("body").ToString().Contains("you transferred it", StringComparison.Ordinal));

        // email: ben answers with a command, and carl gets it
        await MailServers.ReplyAsync(benMailbox, benMail.ReplyTo.Mailboxes.Single().Address, $"transfer to {carl}\nHe prefers mornings.", benMail);

        var toCarl = await WebhookAsync(carlSecret, "conversation.assigned", id);
        Assert.Equal($"{ben} transferred it to you: He prefers mornings.", toCarl.GetProperty("data").GetProperty("routing").GetProperty("summary").GetString());
        var transfers = (await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{id}/transfers")).EnumerateArray()
            .Select(t => (t.GetProperty("requestedBy").GetString(), t.GetProperty("toAgentId").GetString(), t.GetProperty("status").GetString())).ToList();
        Assert.Equal([(anna, ben, "done"), (ben, carl, "done")], transfers);
    }

    /// <summary>An available agent in routing with an agent API token in the gateway.</summary>
    private async Task<string> AgentAsync(params string[] channels)
    {
        var agentId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        (await _routing.PostAsJsonAsync($"{LocalStack.Routing}/agents", new
        {
            id = agentId, name = "E2E Agent", capacity = 50, channels = channels.Length > 0 ? channels : ["sms", "whatsapp", "email"], presence = "available",
        })).EnsureSuccessStatusCode();
        _agents.Add(agentId);
        return agentId;
    }

    private async Task<HttpClient> AgentApiAsync(string agentId)
    {
        var token = (await (await _admin.PostAsync($"/admin/agents/{agentId}/tokens", null)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var agent = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return agent;
    }

    /// <summary>A customer writes, becomes the agent's customer (owner), and writes again: the new conversation is the owner's.</summary>
    private async Task<(string Phone, MessageRouted Conversation)> OwnedConversationAsync(string agentId)
    {
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var phone = "+447700" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = await SmsAsync(routed, phone, "Hello, I ordered a sofa");
        (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/customers/{first.CustomerId}/preferred-agents", new[] { agentId })).EnsureSuccessStatusCode();
        (await _routing.PostAsync($"{LocalStack.Routing}/conversations/{first.ConversationId}/close", null)).EnsureSuccessStatusCode();
        var second = await SmsAsync(routed, phone, "When will the sofa arrive?");
        Assert.Equal(agentId, second.AgentId);
        return (phone, second);
    }

    /// <summary>
    /// A field of a recorded request's body, null where it has none: the sandbox keeps every provider call of the stack's
    /// life, and a predicate must not throw on another kind (Slack's views.open names no channel).
    /// </summary>
    /// <summary>
    /// The conversation's thread in the agent's Slack direct messages (the sandbox answers as Slack's Web API), once the gateway
    /// recorded it: that happens when Slack answered, a moment after the sandbox saw the call, and a reply in that moment would
    /// be ignored. Nothing pending for the target means the opening's delivery, thread recorded, is done.
    /// </summary>
    private async Task<JsonElement> SlackOpeningAsync(Guid conversationId, string slackUser, Guid target)
    {
        var opening = await SentAsync("the Slack thread of the conversation", r => r.GetProperty("provider").GetString() == "slack" && BodyField(r, "channel") == slackUser
            && r.GetProperty("body").ToString().Contains(conversationId.ToString(), StringComparison.Ordinal));
        await Eventually.TrueAsync("the opening's delivery to the agent's Slack to be done", async () =>
            !(await _admin.GetFromJsonAsync<JsonElement>("/admin/webhook-deliveries?status=pending&limit=1000")).EnumerateArray()
                .Any(d => d.GetProperty("targetId").GetGuid() == target));
        return opening;
    }

    /// <summary>The agent answers in the thread: Slack sends the Events API request, signed with the app's signing secret. Returns the reply's ts.</summary>
    private async Task<string> SlackThreadReplyAsync(JsonElement opening, string slackUser, string text)
    {
        var ts = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Random.Shared.Next(100, 999_999):D6}";
        using var request = SampleWebhooks.SlackThreadReply(LocalStack.Gateway, LocalStack.Secrets["Gateway__Slack__SigningSecret"], "D" + slackUser[1..],
            slackUser, text, ts, opening.GetProperty("providerMessageId").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        return ts;
    }

    private static string? BodyField(JsonElement request, string name) =>
        request.GetProperty("body") is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.String
            ? field.GetString() : null;

    /// <summary>The first request the provider sandbox recorded that matches.</summary>
    private async Task<JsonElement> SentAsync(string what, Func<JsonElement, bool> match) =>
        JsonDocument.Parse(await Eventually.ValueAsync($"{what} in the provider sandbox",
            async () => (await LocalStack.SentAsync(_http)).EnumerateArray().Where(match).Select(r => r.GetRawText()).FirstOrDefault())).RootElement;

    private async Task<MessageRouted> SmsAsync(EventStream<MessageRouted> routed, string phone, string text)
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        using var request = SampleWebhooks.TwilioSms(LocalStack.Sms, LocalStack.Secrets["Twilio__AuthToken"], sid, phone, "+15557654321", text);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        return await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("sms", sid));
    }

    /// <summary>The tool's first webhook of this type about the conversation, after checking its Standard Webhooks signature.</summary>
    private async Task<JsonElement> WebhookAsync(string secret, string type, Guid conversationId, Func<JsonElement, bool>? also = null)
    {
        var (id, timestamp, signature, body) = await Eventually.ValueAsync($"a {type} webhook about {conversationId} at the agent's tool", () => Task.FromResult(
            _tool.Requests.Select(r => ((string, string, string, byte[])?)r).FirstOrDefault(r =>
            {
                var payload = JsonDocument.Parse(r!.Value.Item4).RootElement;
                return payload.GetProperty("type").GetString() == type && payload.GetProperty("data").ToString().Contains(conversationId.ToString(), StringComparison.Ordinal)
                    && (also is null || also(payload));
            })));
        Assert.True(WebhookSignature.Verify(secret, id, timestamp, signature, body), $"{type}: the signature does not verify");
        return JsonDocument.Parse(body).RootElement;
    }
}
