using Routing.Contracts;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Samples;

namespace Routing.Demo;

/// <summary>
/// The scripted story of make run: customers write through signed webhooks to the adapters and by mail to the
/// support mailbox, routing decides, the agent gateway delivers each conversation into the agent's own tool
/// (Anna's Slack, Cleo's mailbox, an API client), and agents' replies from there go out through the adapters to
/// the provider sandbox and to the customer's mailbox.
/// </summary>
internal sealed partial class Story(HttpClient api, DecisionPrinter printer)
{
    private static readonly HttpClient Http = new();
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private const string AnnaSlack = "U0ANNA0001";
    /// <summary>Slack's ts is unique per channel (seconds, then a sequence): two replies in one second must not share one.</summary>
    private int _slackSequence;
    private readonly string _run = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)[^6..];

    public async Task PlayAsync()
    {
        var storyStarted = DateTimeOffset.UtcNow.AddSeconds(-1);
        Say("Seeding agents: anna (whatsapp, sms, email, twitter, telegram, instagram; 1 slot), ben (whatsapp, sms, facebook, twitter; 2, offline), cleo (email; 1), dan (email; 1, offline)");
        // Agents an earlier run or the end-to-end tests left available would take the story's customers.
        foreach (var other in (await api.GetFromJsonAsync<JsonElement>("/agents")).EnumerateArray()
                     .Where(a => a.GetProperty("id").GetString() is not ("anna" or "ben" or "cleo" or "dan") && a.GetProperty("presence").GetString() != "offline"))
        {
            (await api.PutAsJsonAsync($"/agents/{other.GetProperty("id").GetString()}/presence", new { status = "offline" })).EnsureSuccessStatusCode();
        }
        await ResetAgentAsync("anna", "Anna", 1, ["whatsapp", "sms", "email", "twitter", "telegram", "instagram"], "available");
        await ResetAgentAsync("ben", "Ben", 2, ["whatsapp", "sms", "facebook", "twitter"], "offline");
        await ResetAgentAsync("cleo", "Cleo", 1, ["email"], "available");
        await ResetAgentAsync("dan", "Dan", 1, ["email"], "offline");
        Say($"Agents' tools in the agent gateway ({Endpoints.Gateway}): Anna and Ben work in Slack (users {AnnaSlack}, {BenSlack}), Cleo in her mailbox cleo@example.com, and Anna's scripts use the agent API.");
        await EnsureTargetAsync("anna", "slack", new { slackUserId = AnnaSlack });
        await EnsureTargetAsync("ben", "slack", new { slackUserId = BenSlack });
        await EnsureTargetAsync("cleo", "email", new { address = "cleo@example.com" });

        Say("Maria Rossi wrote by SMS last week and Anna looked after her; Anna is her owner.");
        var maria = await SmsAsync($"+39333{_run}1", "Hi, my order has not arrived");
        await CloseAsync(maria.ConversationId, "anna");
        await SetOwnersAsync(maria.CustomerId, "anna");
        Say("Giulia Bianchi is Anna's customer too.");
        var giulia = await SmsAsync($"+39347{_run}2", "Hello!");
        await CloseAsync(giulia.ConversationId, "anna");
        await SetOwnersAsync(giulia.CustomerId, "anna");

        Say("Ben starts his shift.");
        (await api.PutAsJsonAsync("/agents/ben/presence", new { status = "available" })).EnsureSuccessStatusCode();

        Say("1. Maria writes again, now on WhatsApp (the same phone, so the same person): she goes to her owner.");
        var mariaAgain = await WhatsAppAsync($"39333{_run}1", "Maria Rossi", "Any news on my order?");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == mariaAgain.ConversationId, Wait);

        Say("2. Giulia writes on WhatsApp. Anna is full (1/1): Giulia is held for Anna, then falls back when the hold ends.");
        var giuliaAgain = await WhatsAppAsync($"39347{_run}2", "Giulia Bianchi", "Can Anna call me?");
        await printer.WaitForAsync<ConversationHeld>(h => h.ConversationId == giuliaAgain.ConversationId, Wait);
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == giuliaAgain.ConversationId, Wait);

        Say("3. Luca, a new customer, emails support@example.com (Postfix delivers it into Dovecot, the adapter reads it over IMAP): he goes to the least-loaded agent who serves email.");
        var luca = await MailAsync($"luca.{_run}@example.net", "Luca Verdi", "Invoice question", "Hello, invoice 1042 shows the wrong address.");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == luca.ConversationId, Wait);
        Say("   The gateway mails it to Cleo's mailbox; Cleo answers that mail, to its signed reply address. Her answer reaches Luca's mailbox, threaded under his mail.");
        await ReplyByMailAsync(luca, "cleo@example.com", "Sorry about that: a corrected invoice follows today.");

        Say("4. Sofia's mail arrives through Mailgun's inbound webhook. Nobody who serves email is free: she waits in the queue...");
        var sofia = await MailgunAsync($"sofia.{_run}@example.net", "Sofia Neri", "Refund please");
        await printer.WaitForAsync<ConversationQueued>(q => q.ConversationId == sofia.ConversationId, Wait);
        Say("   ...until Dan comes back online.");
        (await api.PutAsJsonAsync("/agents/dan/presence", new { status = "available" })).EnsureSuccessStatusCode();
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == sofia.ConversationId, Wait);

        Say("5. Paolo, new, writes on Facebook Messenger: Ben is the one agent who serves it. Messenger's webhook carries only his Page-scoped id;");
        Say("   after answering it, the adapter asks Meta's User Profile API who that is (the sandbox answers as Meta does), and routing names him.");
        await PutProfileAsync("facebook", $"77{_run}5", new { first_name = "Paolo", last_name = "Conti", profile_pic = $"{Endpoints.Sandbox}/messenger-cdn/paolo.png" });
        var paolo = await MessengerAsync($"77{_run}5", "Hi, is the shop open on Sunday?");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == paolo.ConversationId, Wait);
        await ShowNameAsync(paolo.CustomerId, "Messenger's User Profile API");

        Say("6. Maria's conversation opened a thread in Anna's Slack, with who Maria is and why it is Anna's. Anna answers in the thread:");
        Say("   the reply goes through the WhatsApp adapter to the (sandboxed) Cloud API.");
        await ReplyInSlackAsync(mariaAgain, "It left the warehouse this morning; tracking follows.");
        Say("   Maria sends a photo of the box. The gateway fetches it from the Graph API with WhatsApp's access token and keeps it;");
        Say("   Anna's thread gets a signed link that opens it, no token needed:");
        await PhotoFromWhatsAppAsync(mariaAgain, $"39333{_run}1", "Maria Rossi", "The box arrived like this");
        Say("   Anna sends Maria the return label (a PDF) from her script: POST /attachments, then a reply naming it. The WhatsApp adapter");
        Say("   sends it as a document by the gateway's signed link, which the (sandboxed) Cloud API fetches:");
        await FileByApiAsync(mariaAgain, "anna", "Here is your return label: print it and stick it on the box.", "return-label.pdf", "application/pdf",
            "%PDF-1.4\n% return label for the demo\n"u8.ToArray());

        Say("7. Anna closes Maria's conversation. Tom, new, sends a direct message on X: Anna serves X and is free again.");
        await CloseAsync(mariaAgain.ConversationId, "anna");
        var tom = await TwitterDmAsync($"1{_run}7", "Tom Baker", "tombaker", "My discount code is not accepted");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == tom.ConversationId, Wait);
        Say("   Anna answers through the agent API (POST /conversations/{id}/replies): the X adapter signs it with OAuth 1.0a as the account Tom wrote to.");
        await ReplyByApiAsync(tom, "anna", "Sorry about that: try SPRING10 again, it works now.");

        Say("8. Paolo said nothing more: after 20 s of silence on Messenger (Routing:IdleClose, 24 hours by default) his conversation is closed as idle");
        Say("   and Ben's slot frees. Had Paolo written again within a day, the same conversation would have come back to Ben.");
        await printer.WaitForAsync<ConversationClosed>(c => c.ConversationId == paolo.ConversationId && c.Reason == CloseReasons.Idle, Wait);

        Say("9. Tom's discount question is really for Ben, who runs the promotions. Anna first keeps a note on Tom for whoever serves him next");
        Say("   (Note… on his thread in Slack), then presses Transfer… and sends it to Ben with a note for the transfer; Ben gets the conversation");
        Say("   in his Slack with Tom's messages, Anna's transfer note and what Anna wrote about Tom, and Anna's thread says it left her.");
        await NoteInSlackAsync(tom, "Tom is a regular: used SPRING10 twice; I offered a 10% voucher instead.", "promo");
        await TransferInSlackAsync(tom, "ben", "He used SPRING10 twice; can you check his account?");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == tom.ConversationId && a.AgentId == "ben", Wait);
        await ShowNotesInSlackAsync(tom);

        Say("10. Marco asks about wholesale. A rule gives such messages to the wholesale team, whose hours (PUT /teams/wholesale/hours) are closed today:");
        Say("    he is told on his channel when to expect an answer, and his conversation waits for the team.");
        var opensOn = DateTimeOffset.UtcNow.AddDays(2).DayOfWeek.ToString().ToLowerInvariant();
        (await api.PutAsJsonAsync("/teams/wholesale/hours", new { timeZone = "Europe/Rome", weekly = new Dictionary<string, string[]> { [opensOn] = ["09:00-17:00"] } }))
            .EnsureSuccessStatusCode();
        var marco = await SmsAsync($"+39348{_run}9", "Hello, do you sell wholesale? I need 40 chairs");
        await printer.WaitForAsync<ConversationAutoReplied>(o => o.ConversationId == marco.ConversationId, Wait);
        await ShowSentAsync(marco);
        Say("    SMS tells no name. The operator who read his message notes who he is (POST /customers/{id}/notes, an admin token):");
        (await api.PostAsJsonAsync($"/customers/{marco.CustomerId}/notes", new { name = "Marco Bruni", note = "Wholesale lead: 40 chairs.", addTags = new[] { "wholesale" } }))
            .EnsureSuccessStatusCode();
        await ShowNameAsync(marco.CustomerId, "named by an operator, with a note and the tag wholesale for the team");

        Say("11. Lena writes to the shop's Telegram bot, with a photo of the parcel: Anna serves Telegram and is free. The Telegram adapter checked");
        Say("    the webhook's secret token; the gateway fetches the photo from the Bot API with the bot's token (never written to a log) and keeps it:");
        var lena = await TelegramAsync($"5{_run}11", "Lena", "Vogel", "lenavogel", "Hallo! Is this the right box for the return?", $"AgACAgIAAxkBAAIDemo{_run}");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == lena.ConversationId, Wait);
        await ShowPhotoLinkAsync(lena);
        Say("    Anna answers in her Slack thread: the Telegram adapter sends it with the Bot API's sendMessage.");
        await ReplyInSlackAsync(lena, "Yes, that box is perfect: the label goes on the top.");
        await CloseAsync(lena.ConversationId, "anna");

        Say("12. Nina writes to the shop on Instagram (Meta's signature, as for Messenger): Anna again, and her Slack answer goes through the Send API");
        Say("    to Nina's Instagram-scoped id. Instagram's User Profile API tells who she is.");
        await PutProfileAsync("instagram", $"69{_run}12", new { name = "Nina Ferri", username = "nina.ferri", profile_pic = $"{Endpoints.Sandbox}/messenger-cdn/nina.png" });
        var nina = await InstagramAsync($"69{_run}12", "Do you still have the green lamp from your story?");
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == nina.ConversationId, Wait);
        await ShowNameAsync(nina.CustomerId, "Instagram's User Profile API");
        await ReplyInSlackAsync(nina, "We do: two left, shall I reserve one for you?");
        await CloseAsync(nina.ConversationId, "anna");

        Say("Ben is done with Tom: he closes that conversation, and has a free slot again.");
        await CloseAsync(tom.ConversationId, "ben");
        // Paolo is one person now: the commenter, whom his Messenger customer was merged into
        var paoloNow = await PublicCommentAsync(paolo);

        await ShowNamesAsync(("Maria", mariaAgain), ("Giulia", giuliaAgain), ("Luca", luca), ("Sofia", sofia), ("Paolo", paoloNow), ("Tom", tom), ("Marco", marco),
            ("Lena", lena), ("Nina", nina));
        await DataRightsAsync(lena);

        var decisions = await api.GetFromJsonAsync<JsonElement>($"/conversations/{giuliaAgain.ConversationId}/decisions");
        Say($"Giulia's routing receipt (GET /conversations/{giuliaAgain.ConversationId}/decisions):");
        foreach (var d in decisions.EnumerateArray())
        {
            Console.WriteLine($"           {d.GetProperty("trigger").GetString()} -> {d.GetProperty("outcome").GetString()} ({d.GetProperty("reason").GetString()})");
            foreach (var c in d.GetProperty("candidates").EnumerateArray())
            {
                Console.WriteLine($"             {c.GetProperty("agentId").GetString(),-6} {c.GetProperty("source").GetString(),-8} {c.GetProperty("verdict").GetString()}");
            }
        }

        await ShowServiceLevelsAsync(storyStarted);
        await ShowWhatIfAsync();
    }

    /// <summary>
    /// The day's traffic replayed (POST /simulations/what-if) under the settings in force, under a proposal, and under the
    /// baselines: what the story's customers would have met had routing been set otherwise.
    /// </summary>
    private async Task ShowWhatIfAsync()
    {
        using var response = await api.PostAsJsonAsync("/simulations/what-if", new
        {
            days = 1,
            policies = new[] { new { kind = "relationship", name = "no holds", holdMinutes = new Dictionary<string, double> { ["default"] = 0, ["email"] = 0, ["whatsapp"] = 0, ["sms"] = 0, ["facebook"] = 0, ["twitter"] = 0 } } },
        });
        response.EnsureSuccessStatusCode();
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var replay = report.GetProperty("replay");
        Say($"What if routing had been set otherwise? The last day replayed (POST /simulations/what-if): {replay.GetProperty("conversations").GetInt32()} conversations, " +
            $"{replay.GetProperty("presenceChanges").GetInt32()} presence changes, {report.GetProperty("totalSeconds").GetDouble():0.00} s:");
        Console.WriteLine($"           {"policy",-34} {"preferred agent",15} {"wait p95",9} {"held",5}");
        foreach (var p in report.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("summary")))
        {
            Console.WriteLine($"           {p.GetProperty("policy").GetString(),-34} {p.GetProperty("preferredHitRate").GetDouble(),15:P0} " +
                $"{p.GetProperty("wait").GetProperty("p95").GetDouble(),7:0} s {p.GetProperty("holds").GetInt32(),5}");
        }
        Console.WriteLine("           The same as a page with charts: the request with Accept: text/html (services/Routing/README.md, Simulation).");
    }

    /// <summary>The story's service levels, once routing heard of the three replies agents wrote (Anna's two, Cleo's).</summary>
    private async Task ShowServiceLevelsAsync(DateTimeOffset since)
    {
        var path = $"/reports/service-levels?from={Uri.EscapeDataString(since.ToString("O"))}";
        var deadline = DateTimeOffset.UtcNow + Wait;
        var report = await api.GetFromJsonAsync<JsonElement>(path);
        while (report.GetProperty("total").GetProperty("answered").GetInt64() < 3 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(500);
            report = await api.GetFromJsonAsync<JsonElement>(path);
        }
        Say($"The story's service levels (GET {path.Split('?')[0]}), per team and channel:");
        Console.WriteLine($"           {"team/channel",-20} {"started",7} {"waited p50",10} {"1st reply p50",13} {"handled",7} {"abandoned",9} {"preferred",9}");
        foreach (var g in report.GetProperty("groups").EnumerateArray().Append(report.GetProperty("total")))
        {
            var name = g.GetProperty("channel").GetString() is { } channel ? $"{g.GetProperty("team").GetString() ?? "-"}/{channel}" : "all";
            var preferred = g.GetProperty("preferredAgent");
            Console.WriteLine($"           {name,-20} {g.GetProperty("conversations").GetInt64(),7} {Seconds(g.GetProperty("timeInQueue")),10} " +
                $"{Seconds(g.GetProperty("firstResponse")),13} {g.GetProperty("handleTime").GetProperty("count").GetInt64(),7} " +
                $"{g.GetProperty("abandoned").GetInt64(),9} {preferred.GetProperty("hits").GetInt64() + "/" + preferred.GetProperty("eligible").GetInt64(),9}");
        }
    }

    private static string Seconds(JsonElement summary) =>
        summary.GetProperty("p50Seconds") is { ValueKind: JsonValueKind.Number } p50 ? $"{p50.GetDouble():0.0} s" : "-";

    private Task<MessageRouted> SmsAsync(string from, string text)
    {
        var sid = $"SM{_run}{Guid.NewGuid():N}"[..34];
        return WebhookAsync(Channels.Sms, sid, SampleWebhooks.TwilioSms(Endpoints.Sms, Secret("Twilio__AuthToken"), sid, from, "+15557654321", text));
    }

    private Task<MessageRouted> WhatsAppAsync(string waId, string name, string text)
    {
        var wamid = $"wamid.demo{_run}{Guid.NewGuid():N}";
        return WebhookAsync(Channels.WhatsApp, wamid, SampleWebhooks.WhatsAppText(Endpoints.WhatsApp, Secret("WhatsApp__AppSecret"), wamid, waId, name, text));
    }

    private Task<MessageRouted> MessengerAsync(string psid, string text)
    {
        var mid = $"m_demo{_run}{Guid.NewGuid():N}";
        return WebhookAsync(Channels.Facebook, mid, SampleWebhooks.MessengerText(Endpoints.Facebook, Secret("Facebook__AppSecret"), mid, psid, text));
    }

    private Task<MessageRouted> TelegramAsync(string userId, string firstName, string lastName, string username, string caption, string photoFileId)
    {
        var messageId = Random.Shared.NextInt64(1, 1_000_000_000);
        return WebhookAsync(Channels.Telegram, $"{userId}:{messageId}", SampleWebhooks.TelegramText(Endpoints.Telegram, Secret("Telegram__SecretToken"), messageId, messageId,
            long.Parse(userId, System.Globalization.CultureInfo.InvariantCulture), firstName, lastName, username, caption, photoFileId));
    }

    private Task<MessageRouted> InstagramAsync(string igsid, string text)
    {
        var mid = $"aWdfZAG1f_demo{_run}{Guid.NewGuid():N}";
        return WebhookAsync(Channels.Instagram, mid, SampleWebhooks.InstagramText(Endpoints.Instagram, Secret("Instagram__AppSecret"), mid, igsid, text));
    }

    private Task<MessageRouted> TwitterDmAsync(string userId, string name, string screenName, string text)
    {
        var eventId = $"19{_run}{Random.Shared.Next(100_000_000, 999_999_999)}";
        return WebhookAsync(Channels.Twitter, eventId, SampleWebhooks.TwitterDm(Endpoints.Twitter, Secret("Twitter__ConsumerSecret"), eventId, userId, name, screenName, text));
    }

    private async Task<MessageRouted> WebhookAsync(string channel, string providerId, HttpRequestMessage request)
    {
        using (request)
        {
            Console.WriteLine($"   {request.Method} {request.RequestUri} (signed)");
            using var response = await Http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        return await printer.WaitForAsync<MessageRouted>(m => m.MessageId == MessageIds.ForInbound(channel, providerId), Wait);
    }

    /// <summary>Cleo's mailbox got the conversation from the gateway; she answers that mail, to its reply address.</summary>
    private async Task ReplyByMailAsync(MessageRouted to, string agentMailbox, string text)
    {
        var conversation = to.ConversationId.ToString();
        // The mailbox keeps earlier runs' mail about the same customer: wait for this conversation's.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        MimeKit.MimeMessage? opening = null;
        while (opening is null)
        {
            var delivered = (await MailServers.WaitForAsync(agentMailbox, "INBOX", m => m.Any(x => x.Envelope?.Subject?.Contains(to.Sender.DisplayName ?? to.Sender.Value) == true)))
                .Where(x => x.Envelope?.Subject?.Contains(to.Sender.DisplayName ?? to.Sender.Value) == true).ToList();
            using var client = await MailServers.ConnectAsync(agentMailbox);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            foreach (var summary in delivered)
            {
                var mail = await client.Inbox.GetMessageAsync(summary.UniqueId);
                opening = mail.Headers["X-Routing-Conversation"] == conversation ? mail : opening;
            }
            await client.DisconnectAsync(true);
            if (opening is null && DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The gateway's mail about conversation {conversation} is not in {agentMailbox}.");
            }
            if (opening is null)
            {
                await Task.Delay(500);
            }
        }
        var replyTo = opening.ReplyTo.Mailboxes.Single().Address;
        Console.WriteLine($"   {agentMailbox} got \"{opening.Subject}\"; Cleo's answer goes to {replyTo}");
        await MailServers.ReplyAsync(agentMailbox, replyTo, text, opening);
        await ShowSentAsync(to);
    }

    /// <summary>Anna's Slack got a thread for the conversation (the sandbox answers as Slack); she writes in it, and Slack sends the Events API request.</summary>
    private async Task ReplyInSlackAsync(MessageRouted to, string text, string slackUser = AnnaSlack, string agent = "Anna")
    {
        var opening = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("provider").GetString() == "slack"
                && r.Value.GetProperty("body").TryGetProperty("channel", out var channel) && channel.GetString() == slackUser
                && r.Value.GetProperty("body").ToString().Contains(to.ConversationId.ToString(), StringComparison.Ordinal)));
        Console.WriteLine($"   Slack got chat.postMessage to {slackUser}: \"{opening.GetProperty("body").GetProperty("text").GetString()}\"");
        var before = (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).GetArrayLength();
        using var request = SampleWebhooks.SlackThreadReply(Endpoints.Gateway, Secret("Gateway__Slack__SigningSecret"), "D" + slackUser[1..], slackUser, text,
            $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{++_slackSequence:D6}", opening.GetProperty("providerMessageId").GetString()!);
        Console.WriteLine($"   POST {request.RequestUri} (Slack's Events API, signed): {agent}'s thread reply \"{text}\"");
        (await Http.SendAsync(request)).EnsureSuccessStatusCode();
        await ShowSentAsync(to, before);
    }

    /// <summary>Anna presses Transfer… on the conversation's opening in her Slack, and submits the form Slack shows her (both signed as Slack does).</summary>
    private async Task TransferInSlackAsync(MessageRouted conversation, string to, string note)
    {
        var opening = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("provider").GetString() == "slack"
                && r.Value.GetProperty("body").GetProperty("channel").GetString() == AnnaSlack
                && r.Value.GetProperty("body").ToString().Contains(conversation.ConversationId.ToString(), StringComparison.Ordinal)));
        var secret = Secret("Gateway__Slack__SigningSecret");
        var trigger = $"demo-{_run}-{Guid.NewGuid():N}"[..24];
        using (var press = SampleWebhooks.SlackButton(Endpoints.Gateway, secret, AnnaSlack, "conversation.transfer", conversation.ConversationId.ToString(),
                   "D" + AnnaSlack[1..], opening.GetProperty("providerMessageId").GetString(), trigger))
        {
            Console.WriteLine($"   POST {press.RequestUri} (Slack's interactivity, signed): Anna presses Transfer…");
            (await Http.SendAsync(press)).EnsureSuccessStatusCode();
        }
        await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Any(r => r.GetProperty("path").GetString()!.EndsWith("views.open", StringComparison.Ordinal)
                      && r.GetProperty("body").GetProperty("trigger_id").GetString() == trigger) ? true : null);
        Console.WriteLine("   Slack got views.open: the transfer form");
        using var submit = SampleWebhooks.SlackTransferForm(Endpoints.Gateway, secret, AnnaSlack, conversation.ConversationId, to, warm: false, note);
        Console.WriteLine($"   POST {submit.RequestUri} (the form submitted): to {to}, \"{note}\"");
        (await Http.SendAsync(submit)).EnsureSuccessStatusCode();
    }

    /// <summary>The agent's own script, with a token from the gateway's admin API.</summary>
    private async Task ReplyByApiAsync(MessageRouted to, string agent, string text)
    {
        using var admin = Gateway(Secret("Gateway__AdminToken"));
        var token = (await (await admin.PostAsync($"/admin/agents/{agent}/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("token").GetString()!;
        using var tool = Gateway(token);
        // The gateway learns of the conversation from routing's events: wait until it is there.
        await UntilAsync(async () => (await tool.GetAsync($"/conversations/{to.ConversationId}")).IsSuccessStatusCode ? true : null);
        Console.WriteLine($"   POST {Endpoints.Gateway}/conversations/{to.ConversationId}/replies (bearer token of {agent})");
        (await tool.PostAsJsonAsync($"/conversations/{to.ConversationId}/replies", new { text })).EnsureSuccessStatusCode();
        await ShowSentAsync(to);
    }

    /// <summary>A customer's WhatsApp photo, and the signed link to it in the agent's Slack thread (the sandbox keeps what Slack was sent).</summary>
    private async Task PhotoFromWhatsAppAsync(MessageRouted conversation, string waId, string name, string caption)
    {
        var wamid = $"wamid.demo{_run}{Guid.NewGuid():N}";
        var mediaId = $"8{_run}{Random.Shared.Next(1000, 9999)}";
        await WebhookAsync(Channels.WhatsApp, wamid, SampleWebhooks.WhatsAppImage(Endpoints.WhatsApp, Secret("WhatsApp__AppSecret"), wamid, waId, name, mediaId, caption));
        await ShowPhotoLinkAsync(conversation);
    }

    /// <summary>The signed link to the conversation's newest file in the agent's Slack thread, opened as Slack's reader would (no token).</summary>
    private async Task ShowPhotoLinkAsync(MessageRouted conversation)
    {
        var link = (string)await UntilAsync(async () =>
        {
            var sent = await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent");
            // Slack's text escapes & as &amp;
            // the conversation's opening in Slack, and the messages in its thread
            var slack = sent.EnumerateArray().Where(r => r.GetProperty("provider").GetString() == "slack").ToList();
            var opening = slack.Where(r => r.GetProperty("body").ToString().Contains(conversation.ConversationId.ToString(), StringComparison.Ordinal))
                .Select(r => r.GetProperty("providerMessageId").GetString()).FirstOrDefault();
            return slack.Where(r => opening is not null && (r.GetProperty("providerMessageId").GetString() == opening
                    || r.GetProperty("body").TryGetProperty("thread_ts", out var thread) && thread.GetString() == opening))
                .SelectMany(r => Strings(r.GetProperty("body"))).Select(text => SignedLink().Match(text)).Where(m => m.Success)
                .Select(m => System.Net.WebUtility.HtmlDecode(m.Value)).LastOrDefault();
        });
        using var opened = await Http.GetAsync(link);
        Console.WriteLine($"   {link}");
        Console.WriteLine($"   opens as {(int)opened.StatusCode} {opened.Content.Headers.ContentType}, {(await opened.Content.ReadAsByteArrayAsync()).Length} bytes " +
                          $"(scan: {opened.Headers.GetValues("X-Attachment-Scan").Single()}); conversation {conversation.ConversationId}");
    }

    /// <summary>An agent's file sent through the agent API: uploaded, named in a reply, and what the provider fetched by its link.</summary>
    private async Task FileByApiAsync(MessageRouted to, string agent, string text, string name, string type, byte[] content)
    {
        using var admin = Gateway(Secret("Gateway__AdminToken"));
        var token = (await (await admin.PostAsync($"/admin/agents/{agent}/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("token").GetString()!;
        using var tool = Gateway(token);
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new(type);
        Console.WriteLine($"   POST {Endpoints.Gateway}/attachments?name={name} ({type}, {content.Length} bytes)");
        var id = (await (await tool.PostAsync($"/attachments?name={name}", file)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetGuid();
        Console.WriteLine($"   POST {Endpoints.Gateway}/conversations/{to.ConversationId}/replies {{\"text\": ..., \"attachments\": [\"{id}\"]}}");
        (await tool.PostAsJsonAsync($"/conversations/{to.ConversationId}/replies", new { text, attachments = new[] { id } })).EnsureSuccessStatusCode();
        var request = (JsonElement)await UntilAsync(async () =>
            (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray().Select(r => (JsonElement?)r)
                .LastOrDefault(r => r!.Value.TryGetProperty("media", out var media) && media.ValueKind == JsonValueKind.Array
                    && media.EnumerateArray().Any(m => m.GetProperty("url").GetString()!.Contains(id.ToString(), StringComparison.Ordinal))));
        var fetched = request.GetProperty("media")[0];
        Console.WriteLine($"   the sandbox got POST {request.GetProperty("path").GetString()}: {request.GetProperty("body")}");
        Console.WriteLine($"   and fetched the file by its link: {fetched.GetProperty("status").GetInt32()} {fetched.GetProperty("contentType").GetString()}, " +
                          $"{fetched.GetProperty("bytes").GetInt32()} bytes");
    }

    /// <summary>Every string in a JSON document (Slack's blocks nest the text).</summary>
    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"https?://[^|>\s]+/attachments/[0-9a-f-]{36}/open\?[^|>\s]+")]
    private static partial System.Text.RegularExpressions.Regex SignedLink();

    /// <summary>What the adapter sent for the conversation's reply: the customer's mailbox, or the sandbox's record of the provider call.</summary>
    /// <summary>What the provider got of the conversation's latest reply (after the sandbox's <paramref name="after"/>th request, when given).</summary>
    private async Task ShowSentAsync(MessageRouted to, int after = 0)
    {
        var sent = await printer.WaitForAsync<OutboundMessageSent>(s => s.ConversationId == to.ConversationId, Wait);
        if (to.Channel == Channels.Email)
        {
            var mail = (await MailServers.WaitForAsync(to.Sender.Value, "INBOX", m => m.Any(x => x.Envelope?.MessageId == sent.ProviderMessageId)))
                .Single(x => x.Envelope?.MessageId == sent.ProviderMessageId).Envelope!;
            Console.WriteLine($"   {to.Sender.Value}'s mailbox got \"{mail.Subject}\" from {mail.From}, Message-ID <{mail.MessageId}>, In-Reply-To <{mail.InReplyTo}>");
            return;
        }
        var request = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray().Skip(after)
            .Select(r => (JsonElement?)r).LastOrDefault(r => after > 0
                ? r!.Value.GetProperty("provider").GetString() != "slack" // the provider's request that followed the reply
                : r!.Value.GetProperty("providerMessageId").GetString() == sent.ProviderMessageId));
        Console.WriteLine($"   the sandbox got POST {request.GetProperty("path").GetString()}: {request.GetProperty("body")}");
    }

    private async Task EnsureTargetAsync(string agent, string kind, object target)
    {
        using var admin = Gateway(Secret("Gateway__AdminToken"));
        var targets = await admin.GetFromJsonAsync<JsonElement>($"/admin/agents/{agent}/targets");
        if (!targets.EnumerateArray().Any(t => t.GetProperty("kind").GetString() == kind && t.GetProperty("enabled").GetBoolean()))
        {
            (await admin.PostAsJsonAsync($"/admin/agents/{agent}/{kind}-targets", target)).EnsureSuccessStatusCode();
        }
    }

    private static HttpClient Gateway(string token) =>
        new() { BaseAddress = new Uri(Endpoints.Gateway), DefaultRequestHeaders = { Authorization = new("Bearer", token) } };

    private static async Task<object> UntilAsync(Func<Task<object?>> probe)
    {
        var until = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < until)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The stack did not get there in time.");
    }

    private static string Secret(string key) =>
        Environment.GetEnvironmentVariable(key) ?? throw new InvalidOperationException($"{key} is not set: make run loads deploy/local/dev.env");

    /// <summary>A customer's mail to support@example.com, handed to the local Postfix: the email adapter reads it from Dovecot.</summary>
    private async Task<MessageRouted> MailAsync(string from, string name, string subject, string text)
    {
        var messageId = $"demo-{_run}-{Guid.NewGuid():N}@example.net";
        Console.WriteLine($"   SMTP to {MailServers.Smtp.Host}:{MailServers.Smtp.Port}, from {from} to support@example.com");
        await MailServers.DeliverAsync(from, "support@example.com", System.Text.Encoding.UTF8.GetBytes(
            $"From: {name} <{from}>\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <{messageId}>\r\n\r\n{text}\r\n"));
        return await printer.WaitForAsync<MessageRouted>(m => m.MessageId == MessageIds.ForInbound(Channels.Email, messageId), Wait);
    }

    private Task<MessageRouted> MailgunAsync(string from, string name, string text)
    {
        var messageId = $"demo-{_run}-{Guid.NewGuid():N}@example.net";
        return WebhookAsync(Channels.Email, messageId, SampleWebhooks.MailgunEmail(Endpoints.Email, Secret("Email__Mailgun__SigningKey"), messageId, from, name, text, text));
    }

    private async Task ResetAgentAsync(string id, string name, int capacity, string[] channels, string presence)
    {
        var created = await api.PostAsJsonAsync("/agents", new { id, name, capacity, channels, presence = "offline" });
        if (!created.IsSuccessStatusCode)
        {
            (await api.PutAsJsonAsync($"/agents/{id}", new { name, capacity, channels })).EnsureSuccessStatusCode();
            (await api.PutAsJsonAsync($"/agents/{id}/presence", new { status = "offline" })).EnsureSuccessStatusCode();
        }
        // A fresh story: close what an earlier run left open, held or queued (a held one would take the agent's slot).
        foreach (var status in new[] { "open", "held", "queued" })
        {
            foreach (var c in (await api.GetFromJsonAsync<JsonElement>($"/conversations?status={status}&limit=1000")).EnumerateArray())
            {
                if (status != "open" || c.GetProperty("agentId").GetString() == id)
                {
                    (await api.PostAsync($"/conversations/{c.GetProperty("id").GetGuid()}/close", null)).EnsureSuccessStatusCode();
                }
            }
        }
        if (presence != "offline")
        {
            (await api.PutAsJsonAsync($"/agents/{id}/presence", new { status = presence })).EnsureSuccessStatusCode();
        }
    }

    private async Task CloseAsync(Guid conversationId, string by) =>
        (await api.PostAsJsonAsync($"/conversations/{conversationId}/close", new { closedBy = by })).EnsureSuccessStatusCode();

    private async Task SetOwnersAsync(Guid customerId, params string[] owners) =>
        (await api.PutAsJsonAsync($"/customers/{customerId}/preferred-agents", owners)).EnsureSuccessStatusCode();

    private static void Say(string text) => Console.WriteLine($"\n== {text}");
}
