using Routing.Samples;
using System.Net;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Sms;

/// <summary>The SMS adapter's webhook over HTTP, publishing to a real RabbitMQ.</summary>
public sealed class SmsWebhookEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new SmsAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_publish_a_signed_sms_and_answer_empty_twiml_after_the_broker_confirmed()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        var @case = TwilioCases.Named("incoming SMS");

        using var response = await PostAsync(@case);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<Response></Response>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var message = await inbound.WaitForAsync(m => m.ProviderMessageId == "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c");
        Assert.Equal((MessageIds.ForInbound("sms", "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c"), "+12125550123", "+15557654321"),
            (message.MessageId, message.Sender.Value, message.ChannelAccount));
    }

    /// <summary>
    /// An SMS from a short code or an alphanumeric sender id ("ACME") was answered 200, and routing, which cannot identify a
    /// person by it, put it in its error queue. The adapter applies routing's own rule now, and refuses it with the field.
    /// </summary>
    [Theory]
    [InlineData("ACME")]
    [InlineData("12345")]
    public async Task Should_refuse_a_sender_routing_cannot_identify_before_answering(string from)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        using var refused = await Client.SendAsync(SampleWebhooks.TwilioSms("https://hooks.example.com", TwilioCases.AuthToken, "SMfromshortcode", from,
            "+15557654321", "Your code is 1234"));
        using var accepted = await PostAsync(TwilioCases.Named("incoming SMS"));

        await AssertRefusedAsync(refused, HttpStatusCode.BadRequest, "sender");
        Assert.DoesNotContain(from, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c");
        Assert.DoesNotContain(inbound.Messages, m => m.ProviderMessageId == "SMfromshortcode");
    }

    [Fact]
    public async Task Should_give_a_retried_delivery_the_same_message_id()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        var @case = TwilioCases.Named("incoming SMS");

        var answers = await Task.WhenAll(PostAsync(@case), PostAsync(@case));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var copies = await inbound.WaitForCountAsync(2);
        Assert.Single(copies.Select(m => m.MessageId).Distinct()); // routing keeps one (permanent dedupe on this id)
    }

    [Fact]
    public async Task Should_publish_a_status_callback_as_a_delivery_status()
    {
        await using var statuses = await Broker.ObserveAsync<DeliveryStatusChanged>();

        using var response = await PostAsync(TwilioCases.Named("status callback: undelivered with Twilio error 30003"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await statuses.WaitForAsync(s => s.ProviderMessageId == "SM0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        Assert.Equal(("failed", "30003"), (status.Status, status.ErrorCode));
    }

    [Theory]
    [InlineData("tampered body (one character of the text changed)", HttpStatusCode.Forbidden, null)]
    [InlineData("no signature", HttpStatusCode.Unauthorized, null)]
    [InlineData("signed but without MessageSid", HttpStatusCode.BadRequest, "MessageSid")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(TwilioCases.Named(name));

        await AssertRefusedAsync(refused, expected, field);
        // Still serving: a good delivery goes through, and it is the only message published.
        using var accepted = await PostAsync(TwilioCases.Named("incoming SMS"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c");
        Assert.Single(inbound.Messages);
    }

    [Fact]
    public async Task Should_answer_503_when_the_broker_cannot_confirm_so_the_provider_retries()
    {
        // A broker that never answers: the publish cannot be confirmed within the timeout.
        await using var unreachable = new SmsAdapterApp("amqp://guest:guest@127.0.0.1:1/", new Dictionary<string, string?>
        {
            ["Webhooks:PublishTimeout"] = "00:00:02",
            ["Webhooks:Spool:Directory"] = "", // no spool, as for the channels whose providers retry (SmsSpoolTests has the spool)
        });
        using var client = unreachable.CreateClient();

        using var response = await client.SendAsync(AdapterHttp.Request(TwilioCases.Named("incoming SMS"), "/webhooks/sms/twilio"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.False((await client.GetAsync("/health/ready")).IsSuccessStatusCode);
        Assert.True((await client.GetAsync("/health/live")).IsSuccessStatusCode);
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/sms/twilio"));
}
