using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.Delivery;
using Routing.Samples;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>The gateway reached at a public address (the one providers fetch agents' files from), with a small file limit.</summary>
public sealed class PublicGatewayHost : GatewayHost
{
    public const string PublicBaseUrl = "https://gateway.example.test";
    public const int MaxBytes = 200_000;

    protected override IReadOnlyDictionary<string, string> OwnSettings { get; } = new Dictionary<string, string>
    {
        ["Gateway:Attachments:PublicBaseUrl"] = PublicBaseUrl,
        ["Gateway:Attachments:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Files agents send, on a real database and broker: uploaded through the agent API, named by a reply, handed to the
/// channel's adapter as a signed link the provider opens without a token, and refused with the reason when the file, the
/// agent or the channel will not do.
/// </summary>
public sealed class AgentFileTests(PublicGatewayHost gateway) : IClassFixture<PublicGatewayHost>
{
    [Fact]
    public async Task Should_send_an_uploaded_photo_with_a_reply_as_a_link_the_provider_opens_without_a_token()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var colleague = await gateway.AgentAsync();
        var conversation = await AssignedAsync(agent);

        var photo = await UploadAsync(agent, SampleMedia.Png, "image/png", "sofa-leg.png");
        var pdf = await UploadMultipartAsync(agent, "%PDF-1.4 label 1042"u8.ToArray(), "application/pdf", "label-1042.pdf");
        using var reply = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies",
            new { text = "Is this the leg that broke?", attachments = new[] { photo.GetProperty("id").GetGuid(), pdf.GetProperty("id").GetGuid() } });

        Assert.Equal(("image/png", "sofa-leg.png", SampleMedia.Png.Length, "not-scanned"), (photo.GetProperty("contentType").GetString(),
            photo.GetProperty("fileName").GetString(), photo.GetProperty("sizeBytes").GetInt32(), photo.GetProperty("scan").GetString()));
        Assert.Equal(("application/pdf", "label-1042.pdf"), (pdf.GetProperty("contentType").GetString(), pdf.GetProperty("fileName").GetString()));
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var command = await Eventually.ValueAsync("the reply's SendChannelMessage", async () => (await gateway.Broker.DrainQueueAsync("whatsapp-send-channel-message"))
            .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .Select(m => (JsonElement?)m).FirstOrDefault(m => m!.Value.GetProperty("commandId").GetGuid() == replyId));
        var files = command.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal([("image/png", "sofa-leg.png"), ("application/pdf", "label-1042.pdf")],
            files.Select(f => (f.GetProperty("contentType").GetString(), f.GetProperty("fileName").GetString())));
        var link = files[0].GetProperty("url").GetString()!;
        Assert.StartsWith($"{PublicGatewayHost.PublicBaseUrl}/attachments/{photo.GetProperty("id").GetGuid()}/open?expires=", link);

        // the provider has no token: the link opens the file, with its own type
        using var provider = gateway.Anonymous();
        var fetched = await provider.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("image/png", fetched.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SampleMedia.Png, await fetched.Content.ReadAsByteArrayAsync());
        var document = await provider.GetAsync(files[1].GetProperty("url").GetString());
        Assert.Equal("application/pdf", document.Content.Headers.ContentType?.MediaType);
        // the conversation shows the reply with its files, as the agent API's links
        var detail = await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}");
        var sentReply = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
        Assert.Equal([$"/attachments/{photo.GetProperty("id").GetGuid()}", $"/attachments/{pdf.GetProperty("id").GetGuid()}"],
            sentReply.GetProperty("attachments").EnumerateArray().Select(a => a.GetProperty("url").GetString()));
        // the file is the agent's (and the conversation's), nobody else's
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync($"/attachments/{photo.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Http.GetAsync($"/attachments/{photo.GetProperty("id").GetGuid()}")).StatusCode);
    }

    [Fact]
    public async Task Should_refuse_an_upload_without_a_type_of_another_type_too_large_or_without_a_token()
    {
        var agent = await gateway.AgentAsync();

        using var untyped = await agent.Http.PostAsync("/attachments", new ByteArrayContent(SampleMedia.Png));
        using var disguised = await agent.Http.PostAsync("/attachments", Content(SampleMedia.Png, "image/jpeg"));
        using var empty = await agent.Http.PostAsync("/attachments", Content([], "image/png"));
        using var tooLarge = await agent.Http.PostAsync("/attachments", Content(new byte[PublicGatewayHost.MaxBytes + 1], "application/octet-stream"));
        using var anonymous = await gateway.Anonymous().PostAsync("/attachments", Content(SampleMedia.Png, "image/png"));

        await ProblemAsync(untyped, HttpStatusCode.BadRequest, "media type");
        await ProblemAsync(disguised, HttpStatusCode.BadRequest, "is not a JPEG image");
        await ProblemAsync(empty, HttpStatusCode.BadRequest, "no content");
        await ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "MaxBytes");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        // the gateway keeps serving after all of them
        await UploadAsync(agent, SampleMedia.Png, "image/png", "after.png");
    }

    [Fact]
    public async Task Should_refuse_a_reply_whose_files_the_channel_does_not_take_or_that_are_not_the_agents()
    {
        var agent = await gateway.AgentAsync();
        var other = await gateway.AgentAsync();
        var conversation = await AssignedAsync(agent);
        var csv = await UploadAsync(agent, "order,qty\n1042,1\n"u8.ToArray(), "text/csv", "order.csv");
        var theirs = await UploadAsync(other, SampleMedia.Png, "image/png", "theirs.png");
        var photo = await UploadAsync(agent, SampleMedia.Png, "image/png", "mine.png");
        var another = await UploadAsync(agent, SampleMedia.Png, "image/png", "another.png");

        var wrongType = await ReplyAsync(agent, conversation.Id, csv);
        var notTheirs = await ReplyAsync(agent, conversation.Id, theirs);
        var twice = await ReplyAsync(agent, conversation.Id, photo, photo);
        using var first = await agent.Http.SendAsync(Idempotent(conversation.Id, "files-1", photo));
        using var changed = await agent.Http.SendAsync(Idempotent(conversation.Id, "files-1", photo, another));

        await ProblemAsync(wrongType, HttpStatusCode.BadRequest, "whatsapp does not take text/csv files (order.csv)");
        await ProblemAsync(notTheirs, HttpStatusCode.BadRequest, "not a file of yours");
        await ProblemAsync(twice, HttpStatusCode.BadRequest, "more than once");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("whatsapp-send-channel-message"),
            m => m.Body.Contains("order.csv", StringComparison.Ordinal) || m.Body.Contains("theirs.png", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_send_a_photo_the_agent_shares_in_the_slack_thread_once_and_say_in_the_thread_why_a_file_cannot_go()
    {
        var agent = await gateway.AgentAsync(slack: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "whatsapp");
        var opening = await Eventually.ValueAsync("the conversation's Slack thread", () => Task.FromResult(gateway.Slack.CallsOf("chat.postMessage", conversation.Id.ToString())
            .FirstOrDefault(c => c.Status == 200 && c.Body.GetProperty("channel").GetString() == agent.SlackUserId)));
        var threads = gateway.Services.GetRequiredService<ThreadStore>();
        await Eventually.TrueAsync("the gateway to record the thread", async () => await threads.ThreadOwnerAsync(opening.Channel!, opening.Ts!, CancellationToken.None) is not null);
        var url = gateway.Slack.ShareFile("new-leg.png", "image/png", SampleMedia.Png);
        var shared = await SampleWebhooks.SlackFileShare("", GatewayHost.SlackSigningSecret, opening.Channel!, agent.SlackUserId!, "The new leg, as promised",
            "1700000100.000100", opening.Ts!, "F0NEWLEG", "new-leg.png", "image/png", SampleMedia.Png.Length, url).Content!.ReadAsStringAsync();

        // Slack sends the event again when it got no 200 in time: the same file, the same reply
        using var first = await gateway.Anonymous().SendAsync(SampleWebhooks.SlackSigned("/slack/events", shared, "application/json", GatewayHost.SlackSigningSecret));
        using var retried = await gateway.Anonymous().SendAsync(SampleWebhooks.SlackSigned("/slack/events", shared, "application/json", GatewayHost.SlackSigningSecret));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        var commands = await Eventually.ValueAsync("the Slack reply's SendChannelMessage", async () =>
        {
            var sent = (await gateway.Broker.DrainQueueAsync("whatsapp-send-channel-message")).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
                .Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).ToList();
            return sent.Count > 0 ? sent : null;
        });
        Assert.Single(commands.Select(c => c.GetProperty("commandId").GetGuid()).Distinct());
        var file = Assert.Single(commands[0].GetProperty("attachments").EnumerateArray());
        Assert.Equal(("The new leg, as promised", "new-leg.png", "image/png"),
            (commands[0].GetProperty("text").GetString(), file.GetProperty("fileName").GetString(), file.GetProperty("contentType").GetString()));
        var fetched = await gateway.Anonymous().GetAsync(file.GetProperty("url").GetString());
        Assert.Equal(SampleMedia.Png, await fetched.Content.ReadAsByteArrayAsync());

        // a spreadsheet WhatsApp does not take: nothing goes, and the agent reads why where they shared it
        var sheet = gateway.Slack.ShareFile("orders.csv", "text/csv", "order,qty\n1042,1\n"u8.ToArray());
        using var refused = await gateway.Anonymous().SendAsync(SampleWebhooks.SlackFileShare("", GatewayHost.SlackSigningSecret, opening.Channel!, agent.SlackUserId!,
            "", "1700000200.000100", opening.Ts!, "F0SHEET", "orders.csv", "text/csv", 18, sheet));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        await Eventually.ValueAsync("the notice in the thread", () => Task.FromResult(gateway.Slack.CallsOf("chat.postMessage", "whatsapp does not take text/csv files")
            .FirstOrDefault(c => c.Body.GetProperty("thread_ts").GetString() == opening.Ts)));
    }

    [Fact]
    public async Task Should_send_the_files_attached_to_the_agents_mailed_reply_but_not_the_signatures_logo()
    {
        var agent = await gateway.AgentAsync(email: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "whatsapp");
        var opening = await Eventually.ValueAsync("the conversation's mail to the agent", async () =>
        {
            using var client = await MailServers.ConnectAsync(agent.Mailbox!);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            var mail = client.Inbox.Count > 0 ? await client.Inbox.GetMessageAsync(0) : null;
            await client.DisconnectAsync(true);
            return mail;
        });
        var pdf = "%PDF-1.4 invoice 1042"u8.ToArray();

        await MailServers.ReplyAsync(agent.Mailbox!, opening.ReplyTo.Mailboxes.Single().Address, "Your invoice, corrected.", opening,
            files: [("invoice-1042.pdf", "application/pdf", pdf)], inline: [("logo.png", "image/png", SampleMedia.Png)]);

        var command = await Eventually.ValueAsync("the mailed reply's SendChannelMessage", async () => (await gateway.Broker.DrainQueueAsync("whatsapp-send-channel-message"))
            .Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message"))
            .Select(m => (JsonElement?)m).FirstOrDefault(m => m!.Value.GetProperty("conversationId").GetGuid() == conversation.Id));
        Assert.Equal("Your invoice, corrected.", command.GetProperty("text").GetString());
        var file = Assert.Single(command.GetProperty("attachments").EnumerateArray());
        Assert.Equal(("invoice-1042.pdf", "application/pdf"), (file.GetProperty("fileName").GetString(), file.GetProperty("contentType").GetString()));
        Assert.Equal(pdf, await (await gateway.Anonymous().GetAsync(file.GetProperty("url").GetString())).Content.ReadAsByteArrayAsync());
    }

    private static ByteArrayContent Content(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static async Task<JsonElement> UploadAsync(AgentClient agent, byte[] bytes, string type, string name)
    {
        var content = Content(bytes, type);
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = name };
        using var response = await agent.Http.PostAsync("/attachments", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A WhatsApp conversation assigned to the agent, once the gateway has it (the assignment arrives by the broker).</summary>
    private async Task<Conversation> AssignedAsync(AgentClient agent)
    {
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "whatsapp");
        await Eventually.TrueAsync("the assignment in the agent's view", async () =>
        {
            using var response = await agent.Http.GetAsync($"/conversations/{conversation.Id}");
            return response.IsSuccessStatusCode;
        });
        return conversation;
    }

    private static async Task<JsonElement> UploadMultipartAsync(AgentClient agent, byte[] bytes, string type, string name)
    {
        using var form = new MultipartFormDataContent { { Content(bytes, type), "file", name } };
        using var response = await agent.Http.PostAsync("/attachments", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> ReplyAsync(AgentClient agent, Guid conversationId, params JsonElement[] files) =>
        agent.Http.PostAsJsonAsync($"/conversations/{conversationId}/replies",
            new { text = "Here it is.", attachments = files.Select(f => f.GetProperty("id").GetGuid()) });

    private static HttpRequestMessage Idempotent(Guid conversationId, string key, params JsonElement[] files)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversationId}/replies")
        {
            Content = JsonContent.Create(new { text = "Here it is.", attachments = files.Select(f => f.GetProperty("id").GetGuid()) }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string says)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(says, body, StringComparison.Ordinal);
        response.Dispose();
    }
}
