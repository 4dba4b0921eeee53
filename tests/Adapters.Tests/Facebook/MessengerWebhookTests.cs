using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Facebook;

public sealed class MessengerWebhookTests
{
    private static readonly MessengerWebhook Webhook = new(Options.Create(new MessengerOptions { AppSecret = MessengerCases.AppSecret, VerifyToken = "unused" }));

    public static TheoryData<string> Cases => new(MessengerCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, MessengerCases.PublicUrl, MessengerCases.Named(name));
}

/// <summary>The Messenger adapter over HTTP on a real broker: Meta's handshake, a signed batch, bad input.</summary>
public sealed class MessengerEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new FacebookAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_answer_the_subscription_handshake_only_with_the_verify_token()
    {
        var accepted = await Client.GetAsync("/webhooks/facebook?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED&hub.verify_token=dev-verify-token");
        var refused = await Client.GetAsync("/webhooks/facebook?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED&hub.verify_token=guess");

        Assert.Equal((HttpStatusCode.OK, "CHALLENGE_ACCEPTED"), (accepted.StatusCode, await accepted.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Should_publish_every_customer_message_of_a_batch_and_no_echo()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        await using var statuses = await Broker.ObserveAsync<DeliveryStatusChanged>();

        using var batch = await PostAsync(MessengerCases.Named("two entries of two items, one an echo of our own message"));
        using var read = await PostAsync(MessengerCases.Named("read (Meta's example)"));

        Assert.Equal((HttpStatusCode.OK, "EVENT_RECEIVED"), (batch.StatusCode, await batch.Content.ReadAsStringAsync()));
        await inbound.WaitForAsync(m => m.ProviderMessageId == "m_third");
        var watermark = await statuses.WaitForAsync(s => s.Status == "read");
        Assert.Equal(["m_first", "m_second", "m_third"], inbound.Messages.Select(m => m.ProviderMessageId).Order());
        Assert.Equal((MessengerCases.Psid, (string?)null), (watermark.Recipient?.Value, watermark.ProviderMessageId));
    }

    [Theory]
    [InlineData("tampered body", HttpStatusCode.Forbidden, null)]
    [InlineData("no signature", HttpStatusCode.Unauthorized, null)]
    [InlineData("signed but not JSON", HttpStatusCode.BadRequest, "body")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(MessengerCases.Named(name));

        await AssertRefusedAsync(refused, expected, field);
        using var accepted = await PostAsync(MessengerCases.Named("text with a quick reply (Meta's example)"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "mid.1457764197618:41d102a3e1ae206a38");
        Assert.Single(inbound.Messages);
    }

    [Fact]
    public async Task Should_publish_the_good_items_of_a_batch_and_leave_out_the_malformed_one()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        // Refusing the whole delivery would have Meta retry the good item with the bad one until it gave up on both.
        using var response = await PostAsync(MessengerCases.Named("an item without a sender beside a good one: the good one counts"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "m_beside");
        using var accepted = await PostAsync(MessengerCases.Named("text with a quick reply (Meta's example)"));
        await inbound.WaitForAsync(m => m.ProviderMessageId == "mid.1457764197618:41d102a3e1ae206a38");
        Assert.Equal(["m_beside", "mid.1457764197618:41d102a3e1ae206a38"], inbound.Messages.Select(m => m.ProviderMessageId));
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/facebook"));

    private sealed class FacebookAdapterApp(string brokerUrl) : WebApplicationFactory<MessengerWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Facebook:AppSecret", MessengerCases.AppSecret);
            builder.UseSetting("Facebook:VerifyToken", "dev-verify-token");
        }
    }
}
