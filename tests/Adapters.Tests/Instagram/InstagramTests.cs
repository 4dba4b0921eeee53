using System.Net;
using Adapters.Tests.Meta;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Routing.Adapters.Instagram.Direct;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Instagram;

public sealed class InstagramWebhookTests
{
    private static readonly InstagramWebhook Webhook = new(Options.Create(new InstagramOptions { AppSecret = InstagramCases.AppSecret, VerifyToken = "unused" }));

    public static TheoryData<string> Cases => new(InstagramCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, InstagramCases.PublicUrl, InstagramCases.Named(name));
}

/// <summary>The Instagram sender with its real resilience pipeline, against a local imitation of the Send API.</summary>
public sealed class InstagramSenderTests : IAsyncLifetime
{
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await GraphApiImitation.StartAsync(GraphApiImitation.MessengerSent("aWdf_default"));
        _services = SenderServices.Build<InstagramSender>(new Dictionary<string, string?>
        {
            ["Instagram:AppSecret"] = InstagramCases.AppSecret,
            ["Instagram:VerifyToken"] = "unused",
            [$"Instagram:AccessTokens:{InstagramCases.Account}"] = "dev-instagram-page-token",
            ["Instagram:HumanAgentTag"] = "true",
            ["Instagram:GraphApiBaseUrl"] = _api.BaseUrl,
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        }, s => s.AddOptions<InstagramOptions>().BindConfiguration(InstagramOptions.Section));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_a_response_to_the_igsid_with_the_accounts_token()
    {
        _api.Then(GraphApiImitation.MessengerSent("aWdf_sent"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("aWdf_sent", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal(("/v23.0/me/messages", "Bearer dev-instagram-page-token"), (request.Path, request.Authorization));
        Assert.Equal((InstagramCases.Igsid, "RESPONSE", "We are sending a new one today."), (request.Json.GetProperty("recipient").GetProperty("id").GetString(),
            request.Json.GetProperty("messaging_type").GetString(), request.Json.GetProperty("message").GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Should_send_again_with_the_human_agent_tag_when_instagram_refuses_for_the_window()
    {
        _api.Then(GraphApiImitation.Error(400, 10, "This message is sent outside of allowed window.", subcode: 2534022), GraphApiImitation.MessengerSent("aWdf_tagged"));

        var outcome = await Sender.SendAsync(Command() with { CustomerLastMessageAt = null }, CancellationToken.None);

        Assert.Equal("aWdf_tagged", outcome.ProviderMessageId);
        Assert.Equal([("RESPONSE", null), ("MESSAGE_TAG", "HUMAN_AGENT")], _api.Requests.Select(r =>
            (r.Json.GetProperty("messaging_type").GetString(), r.Json.TryGetProperty("tag", out var tag) ? tag.GetString() : null)));
    }

    [Fact]
    public async Task Should_send_each_file_as_an_attachment_after_the_text()
    {
        _api.Then(GraphApiImitation.MessengerSent("aWdf_text"), GraphApiImitation.MessengerSent("aWdf_photo"));
        var photo = new MessageAttachment { ContentType = "image/jpeg", Url = "https://gateway.example.com/attachments/1/open?s=1", SizeBytes = 1000 };

        var outcome = await Sender.SendAsync(Command() with { Attachments = [photo] }, CancellationToken.None);

        Assert.Equal("aWdf_photo", outcome.ProviderMessageId);
        var attachment = _api.Requests.Last().Json.GetProperty("message").GetProperty("attachment");
        Assert.Equal(("image", photo.Url), (attachment.GetProperty("type").GetString(), attachment.GetProperty("payload").GetProperty("url").GetString()));
    }

    [Fact]
    public async Task Should_refuse_an_account_it_has_no_token_for_and_a_permanent_error()
    {
        _api.Then(GraphApiImitation.Error(400, 551, "This person isn't available right now."));

        var unknown = await Sender.SendAsync(Command() with { ChannelAccount = "999" }, CancellationToken.None);
        var refused = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal(("not-configured", true), (unknown.ErrorCode, unknown.Permanent));
        Assert.Equal(("551", true), (refused.ErrorCode, refused.Permanent));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_answer_a_comment_in_public_with_a_reply_under_it_and_refuse_files_there()
    {
        _api.Then(GraphApiImitation.Commented("17865799348089040"));
        var reply = Command() with { Visibility = MessageVisibility.Public, ReplyToProviderMessageId = "17865799348089039", Text = "So sorry, Nina! Check your DMs." };

        var outcome = await Sender.SendAsync(reply, CancellationToken.None);
        var tooLong = await Sender.SendAsync(reply with { Text = new string('a', 2201) }, CancellationToken.None);
        var photo = await Sender.SendAsync(reply with
        {
            Attachments = [new MessageAttachment { ContentType = "image/png", Url = "https://gateway.example.com/attachments/1/open?s=1" }],
        }, CancellationToken.None);

        Assert.Equal("17865799348089040", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal(("/v23.0/17865799348089039/replies", "Bearer dev-instagram-page-token"), (request.Path, request.Authorization));
        Assert.Equal("So sorry, Nina! Check your DMs.", request.Json.GetProperty("message").GetString());
        Assert.Equal(("too-long", true), (tooLong.ErrorCode, tooLong.Permanent));
        Assert.Equal(("public-reply-files", true), (photo.ErrorCode, photo.Permanent));
    }

    [Fact]
    public async Task Should_send_a_private_reply_to_the_comment()
    {
        _api.Then(ProviderApiImitation.Json(200, new { recipient_id = InstagramCases.Igsid, message_id = "aWdf_private" }));

        var outcome = await Sender.SendAsync(Command() with { PrivateReplyTo = "17865799348089039", ThreadKey = "18068738158496142", CustomerLastMessageAt = null },
            CancellationToken.None);

        Assert.Equal("aWdf_private", outcome.ProviderMessageId);
        Assert.Null(outcome.Recipient); // the IGSID that commented is the one that writes: nothing new to learn
        var request = Assert.Single(_api.Requests);
        Assert.Equal(("/v23.0/me/messages", "17865799348089039"), (request.Path, request.Json.GetProperty("recipient").GetProperty("comment_id").GetString()));
    }

    private static SendChannelMessage Command() => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "instagram",
        ChannelAccount = InstagramCases.Account,
        To = new CustomerAddress { Kind = "instagram", Value = InstagramCases.Igsid },
        Text = "We are sending a new one today.",
        CustomerLastMessageAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        RequestedAt = DateTimeOffset.UtcNow,
    };
}

/// <summary>The Instagram adapter over HTTP on a real broker: Meta's handshake, a signed batch, bad input.</summary>
public sealed class InstagramEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new InstagramAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_answer_the_subscription_handshake_only_with_the_verify_token()
    {
        var accepted = await Client.GetAsync("/webhooks/instagram?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=dev-instagram-verify-token");
        var refused = await Client.GetAsync("/webhooks/instagram?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess");

        Assert.Equal((HttpStatusCode.OK, "1158201444"), (accepted.StatusCode, await accepted.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Should_publish_the_customers_messages_and_the_seen_status()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        await using var statuses = await Broker.ObserveAsync<DeliveryStatusChanged>();

        using var batch = await PostAsync(InstagramCases.Named("our echo and a deleted message left out, the message after them kept"));
        using var seen = await PostAsync(InstagramCases.Named("seen: our message read, by its id"));

        Assert.Equal((HttpStatusCode.OK, "EVENT_RECEIVED"), (batch.StatusCode, await batch.Content.ReadAsStringAsync()));
        var message = await inbound.WaitForAsync(m => m.ProviderMessageId == "aWdfZAG1f_after");
        var read = await statuses.WaitForAsync(s => s.Status == "read");
        Assert.Equal(("instagram", InstagramCases.Igsid), (message.Sender.Kind, message.Sender.Value));
        Assert.Equal("aWdfZAG1f_ours", read.ProviderMessageId);
        Assert.Single(inbound.Messages);
    }

    [Theory]
    [InlineData("tampered body", HttpStatusCode.Forbidden, null)]
    [InlineData("no signature", HttpStatusCode.Unauthorized, null)]
    [InlineData("signed but a Page's delivery, not Instagram's", HttpStatusCode.BadRequest, "object")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(InstagramCases.Named(name));

        await AssertRefusedAsync(refused, expected, field);
        using var accepted = await PostAsync(InstagramCases.Named("text"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == InstagramCases.TextMid);
        Assert.Single(inbound.Messages);
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/instagram"));

    private sealed class InstagramAdapterApp(string brokerUrl) : WebApplicationFactory<InstagramWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Instagram:AppSecret", InstagramCases.AppSecret);
            builder.UseSetting("Instagram:VerifyToken", "dev-instagram-verify-token");
        }
    }
}
