using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.Attachments;
using Routing.Contracts;
using Routing.Samples;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// What customers attach, on a real database and broker with the providers' media imitated: fetched with each provider's
/// credentials (and no further), kept, and opened by the conversation's agent only, from the API, a short link, and the
/// signed links in Slack; what cannot be kept says why.
/// </summary>
public sealed partial class AttachmentTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    [Fact]
    public async Task Should_fetch_an_sms_photo_with_the_accounts_credentials_and_open_it_for_the_conversations_agent_only()
    {
        var agent = await gateway.AgentAsync(webhook: true, slack: true);
        var stranger = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var media = "ME" + Guid.NewGuid().ToString("N");
        var url = SampleMedia.TwilioMediaUrl(gateway.Media.Url, GatewayHost.TwilioAccountSid, "MM" + Guid.NewGuid().ToString("N"), media);

        var attachment = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/jpeg", Url = url });

        var opened = await agent.Http.GetAsync(attachment);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", opened.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", opened.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("not-scanned", opened.Headers.GetValues("X-Attachment-Scan").Single());
        // Twilio got the account's credentials; its storage, where it redirected, got none
        var requests = gateway.Media.Requests.Where(r => r.Path.Contains(media, StringComparison.Ordinal)).ToList();
        Assert.Contains(requests, r => r.Path.Contains("/Media/", StringComparison.Ordinal) && r.Authorization!.StartsWith("Basic ", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Path.StartsWith("/media-storage/", StringComparison.Ordinal) && r.Authorization is null);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync(attachment)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Anonymous().GetAsync(attachment)).StatusCode);

        // Slack's reader has no token: the message carries a signed link, which opens the file and nothing else
        var link = await Eventually.ValueAsync<string>("a signed link in the agent's Slack thread", () => Task.FromResult(gateway.Slack.Calls
            .SelectMany(c => JsonStrings.Of(c.Body)).Select(text => SlackLink().Match(text)).FirstOrDefault(m => m.Success && m.Groups[1].Value.StartsWith(attachment, StringComparison.Ordinal))?.Groups[1].Value));
        link = WebUtility.HtmlDecode(link);
        using var anonymous = gateway.Anonymous();
        var signed = await anonymous.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(SampleMedia.Png, await signed.Content.ReadAsByteArrayAsync());
        var tampered = await anonymous.GetAsync(link[..^1] + (link[^1] == '0' ? '1' : '0'));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        var other = AttachmentIds.For(Guid.NewGuid(), 0);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(link.Replace(attachment["/attachments/".Length..], other.ToString()))).StatusCode);
    }

    [Fact]
    public async Task Should_mail_the_agent_a_signed_link_that_opens_the_photo()
    {
        var agent = await gateway.AgentAsync(webhook: true, email: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var url = SampleMedia.TwilioMediaUrl(gateway.Media.Url, GatewayHost.TwilioAccountSid, "MM" + Guid.NewGuid().ToString("N"), "ME" + Guid.NewGuid().ToString("N"));

        var attachment = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/jpeg", Url = url, FileName = "sofa.jpg" });
        var link = await Eventually.ValueAsync<string>("the signed link in the agent's mail", async () =>
        {
            using var client = await MailServers.ConnectAsync(agent.Mailbox!);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            var found = new List<string>();
            for (var i = 0; i < client.Inbox.Count; i++)
            {
                var body = (await client.Inbox.GetMessageAsync(i)).TextBody ?? "";
                found.AddRange(MailLink().Matches(body).Select(m => m.Groups[1].Value).Where(l => l.StartsWith(attachment + "/open?", StringComparison.Ordinal)));
            }
            await client.DisconnectAsync(true);
            return found.FirstOrDefault();
        });
        var opened = await gateway.Anonymous().GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Should_fetch_a_whatsapp_media_id_through_the_graph_api_and_hand_out_a_short_link()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "whatsapp");
        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var attachment = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/jpeg", Url = "whatsapp-media:" + mediaId, FileName = "receipt.jpg" });
        var link = await (await agent.Http.GetAsync(attachment + "/link")).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var opened = await gateway.Anonymous().GetAsync(link.GetProperty("url").GetString());

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
        Assert.InRange(link.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
        var requests = gateway.Media.Requests.Where(r => r.Path.EndsWith(mediaId, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count); // the Graph API's answer about the media, then the file: both with the token
        Assert.All(requests, r => Assert.Equal("Bearer " + GatewayHost.WhatsAppAccessToken, r.Authorization));
    }

    [Fact]
    public async Task Should_say_why_an_attachment_was_not_kept_and_never_fetch_from_a_host_that_is_not_the_providers()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "facebook");
        var before = gateway.Media.Requests.Count;

        var elsewhere = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = "https://169.254.169.254/latest/meta-data" });
        var gone = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = SampleMedia.MessengerCdnUrl(gateway.Media.Url, "gone-1") });

        var refused = await agent.Http.GetAsync(elsewhere);
        var deleted = await agent.Http.GetAsync(gone);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("not on Meta's servers", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Gone, deleted.StatusCode);
        Assert.Contains("no longer has the file", (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.DoesNotContain(gateway.Media.Requests.Skip(before), r => r.Path.Contains("meta-data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_to_send_a_file_when_no_provider_could_fetch_it_for_want_of_the_gateways_public_address()
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        // the reply needs the gateway to have the assignment, which comes over the broker: without it the answer is 404
        await Eventually.TrueAsync("the gateway to know the conversation is the agent's",
            async () => (await agent.Http.GetAsync($"/conversations/{conversation.Id}")).StatusCode == HttpStatusCode.OK);
        var upload = new ByteArrayContent(SampleMedia.Png);
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var id = (await (await agent.Http.PostAsync("/attachments?name=photo.png", upload)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetGuid();

        using var reply = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Here.", attachments = new[] { id } });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("Gateway:Attachments:PublicBaseUrl", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fetch_an_x_dm_photo_signed_as_the_account_and_never_send_the_signature_off_xs_hosts()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "twitter");
        var mediaId = "1" + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var photo = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = SampleMedia.XMediaUrl(gateway.Media.Url, "1017028342563778565", mediaId) });
        var elsewhere = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = "https://pbs.example.org/media/" + mediaId });

        var opened = await agent.Http.GetAsync(photo);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
        // the imitation checked the signature against the account's secrets: a request it let through was signed by them
        var request = Assert.Single(gateway.Media.Requests, r => r.Path.Contains(mediaId, StringComparison.Ordinal));
        Assert.StartsWith("OAuth ", request.Authorization);
        Assert.Contains($"oauth_token=\"{Uri.EscapeDataString(GatewayHost.XAccount.Token)}\"", request.Authorization);
        var refused = await agent.Http.GetAsync(elsewhere);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("not on X's media servers", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Should_refuse_to_keep_a_customers_file_larger_than_the_limit_and_say_so()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "facebook");
        var limit = gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AttachmentOptions>>().Value.MaxBytes;

        var atLimit = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = SampleMedia.MessengerCdnUrl(gateway.Media.Url, $"large-{limit}") });
        var past = await SendAsync(conversation, agent, new MessageAttachment { ContentType = "image/*", Url = SampleMedia.MessengerCdnUrl(gateway.Media.Url, $"large-{limit + 1}") });

        var kept = await agent.Http.GetAsync(atLimit);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(limit, (await kept.Content.ReadAsByteArrayAsync()).LongLength);
        var refused = await agent.Http.GetAsync(past);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains($"larger than the {limit / 1024 / 1024} MB kept", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Should_fetch_a_mail_attachment_by_the_email_adapters_signed_link_and_never_ask_for_one_it_did_not_sign()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, channel: "email");
        var name = Guid.NewGuid().ToString("N");
        var unsigned = $"{gateway.Media.Url}/media/email/{name}-0?type=image%2Fpng";

        var signed = await SendAsync(conversation, agent, new MessageAttachment
        {
            ContentType = "image/png", FileName = "photo.png", Url = FileLinks.Sign(GatewayHost.EmailFilesKey, unsigned, DateTimeOffset.UtcNow.AddHours(1)),
        });
        var forged = await SendAsync(conversation, agent, new MessageAttachment
        {
            ContentType = "image/png", FileName = "forged.png",
            Url = FileLinks.Sign("another-key-of-32-bytes-exactly!"u8.ToArray(), unsigned.Replace("-0?", "-1?", StringComparison.Ordinal), DateTimeOffset.UtcNow.AddHours(1)),
        });

        var opened = await agent.Http.GetAsync(signed);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(SampleMedia.Png, await opened.Content.ReadAsByteArrayAsync());
        var refused = await agent.Http.GetAsync(forged);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("not one the email adapter signed", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.DoesNotContain(gateway.Media.Requests, r => r.Path.Contains($"{name}-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_a_signed_link_after_it_expired()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        var attachment = await SendAsync(conversation, agent, new MessageAttachment
        {
            ContentType = "image/png",
            Url = SampleMedia.TwilioMediaUrl(gateway.Media.Url, GatewayHost.TwilioAccountSid, "MM1", "ME" + Guid.NewGuid().ToString("N")),
        });
        var id = Guid.Parse(attachment["/attachments/".Length..]);

        var expired = gateway.Services.GetRequiredService<AttachmentLinks>().Signed(id, TimeSpan.FromMinutes(-1));
        var response = await gateway.Anonymous().GetAsync(expired);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Link expired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    /// <summary>The customer writes with <paramref name="attachment"/>; the gateway's link to it, as the agent's webhook carried it.</summary>
    private async Task<string> SendAsync(Conversation conversation, AgentClient agent, MessageAttachment attachment)
    {
        // the agent has the conversation first: a message routed after that is announced as message.received
        await Eventually.TrueAsync("the conversation at the gateway", async () =>
            (await agent.Http.GetAsync($"/conversations/{conversation.Id}")).StatusCode == HttpStatusCode.OK);
        var message = conversation.Message("Here is a picture", agent.AgentId, "open") with { Attachments = [attachment] };
        await gateway.Broker.PublishAsync(message);
        return await Eventually.ValueAsync<string>("the message.received webhook with the attachment's link", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "message.received"
                        && e.GetProperty("data").GetProperty("message").GetProperty("id").GetGuid() == message.MessageId)
            .Select(e => e.GetProperty("data").GetProperty("message").GetProperty("attachments")[0].GetProperty("url").GetString())
            .FirstOrDefault()));
    }

    [GeneratedRegex(@"\[attachment\] sofa\.jpg: (\S+)")]
    private static partial Regex MailLink();

    [GeneratedRegex(@"<(/attachments/[^|>]+)\|")]
    private static partial Regex SlackLink();
}
