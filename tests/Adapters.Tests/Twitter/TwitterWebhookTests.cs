using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Adapters.Twitter.AccountActivity;
using Routing.Contracts;
using System.Diagnostics.Metrics;

namespace Adapters.Tests.Twitter;

public sealed class TwitterWebhookTests
{
    private static readonly AccountActivityWebhook Webhook = new(
        Options.Create(new TwitterOptions { ConsumerKey = "unused", ConsumerSecret = TwitterCases.ConsumerSecret }),
        new ChannelHealth("twitter", 5, TimeProvider.System, new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(),
            NullLogger<ChannelHealth>.Instance));

    public static TheoryData<string> Cases => new(TwitterCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, TwitterCases.PublicUrl, TwitterCases.Named(name));
}

/// <summary>The X adapter over HTTP on a real broker: the CRC check, signed deliveries, bad input, a revoke reported in readiness.</summary>
public sealed class TwitterEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new TwitterAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    /// <summary>The answer X expects: "sha256=" + base64 HMAC-SHA256 of the token (computed with Python's hmac for this secret).</summary>
    [Fact]
    public async Task Should_answer_the_crc_check()
    {
        var answer = await Client.GetAsync("/webhooks/twitter?crc_token=challenge-token-1");
        var missing = await Client.GetAsync("/webhooks/twitter");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("sha256=1yXK4BIeyxevsnKZf/oCo3aT7LXCXYi9yUUKfdUtZhY=", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("response_token").GetString());
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (missing.StatusCode, missing.Content.Headers.ContentType?.MediaType));
    }

    /// <summary>
    /// X signs its deliveries with the key it also has us sign CRC tokens with, so answering any token made the CRC a
    /// signing oracle: GET ?crc_token=&lt;a forged delivery&gt; gave the signature POST accepted for it, and a DM "from" any
    /// X user was routed with no credentials at all. X's tokens are short random strings, never JSON: anything else is
    /// refused now, and the forged delivery with it.
    /// </summary>
    [Fact]
    public async Task Should_not_sign_a_delivery_for_anyone_who_asks()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        var forged = TwitterCases.Text.Replace("954491830116155396", "954491830116155999", StringComparison.Ordinal);

        using var crc = await Client.GetAsync("/webhooks/twitter?crc_token=" + Uri.EscapeDataString(forged));
        var signature = crc.IsSuccessStatusCode ? (await crc.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("response_token").GetString() : "sha256=none";
        using var post = new HttpRequestMessage(HttpMethod.Post, "/webhooks/twitter") { Content = new StringContent(forged, System.Text.Encoding.UTF8, "application/json") };
        post.Headers.Add("x-twitter-webhooks-signature", signature);
        using var delivered = await Client.SendAsync(post);
        using var genuine = await PostAsync(TwitterCases.Named("direct message with the users map (X's example)"));

        await AssertRefusedAsync(crc, HttpStatusCode.BadRequest, "crc_token");
        Assert.Equal(HttpStatusCode.Forbidden, delivered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "954491830116155396");
        Assert.DoesNotContain(inbound.Messages, m => m.ProviderMessageId == "954491830116155999");
    }

    [Fact]
    public async Task Should_publish_customer_messages_and_reads_but_not_our_echo()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        await using var statuses = await Broker.ObserveAsync<DeliveryStatusChanged>();

        using var echo = await PostAsync(TwitterCases.Named("our own reply echoed back"));
        using var batch = await PostAsync(TwitterCases.Named("two customers' messages and a typing indicator in one delivery"));
        using var read = await PostAsync(TwitterCases.Named("the customer read our reply; the account reading theirs is not a status"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { echo.StatusCode, batch.StatusCode, read.StatusCode });
        await inbound.WaitForAsync(m => m.ProviderMessageId == "954494000000000002");
        var status = await statuses.WaitForAsync(s => s.Status == "read");
        Assert.Equal(["954494000000000001", "954494000000000002"], inbound.Messages.Select(m => m.ProviderMessageId).Order());
        Assert.Equal(("954491904594653188", TwitterCases.Customer), (status.ProviderMessageId, status.Recipient?.Value));
    }

    [Theory]
    [InlineData("tampered body", HttpStatusCode.Forbidden, null)]
    [InlineData("no signature", HttpStatusCode.Unauthorized, null)]
    [InlineData("signed but not JSON", HttpStatusCode.BadRequest, "body")]
    [InlineData("signed message without a sender", HttpStatusCode.BadRequest, "direct_message_events[0].message_create.sender_id")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(TwitterCases.Named(name));

        await AssertRefusedAsync(refused, expected, field);
        using var accepted = await PostAsync(TwitterCases.Named("direct message with the users map (X's example)"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "954491830116155396");
        Assert.Single(inbound.Messages);
    }

    [Fact]
    public async Task Should_report_a_revoked_account_as_degraded_without_failing_readiness()
    {
        var before = await ReadinessAsync();
        using var revoke = await PostAsync(TwitterCases.Named("the account revoked the app"));
        var after = await ReadinessAsync();

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (before.Status, before.Access.GetProperty("status").GetString()));
        Assert.Equal((HttpStatusCode.OK, "Degraded"), (after.Status, after.Access.GetProperty("status").GetString()));
        Assert.Contains("account 4337869213 revoked the app's access", after.Access.GetProperty("description").GetString());
        Assert.Equal("twitter", after.Access.GetProperty("data").GetProperty("channel").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Access)> ReadinessAsync()
    {
        using var response = await Client.GetAsync("/health/ready");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("checks").GetProperty("twitter-access"));
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/twitter"));

    private sealed class TwitterAdapterApp(string brokerUrl) : WebApplicationFactory<AccountActivityWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Twitter:ConsumerKey", "dev-consumer-key");
            builder.UseSetting("Twitter:ConsumerSecret", TwitterCases.ConsumerSecret);
            builder.UseSetting("Webhooks:Spool:Directory", AdapterProcess.NewSpoolFolder());
        }
    }
}
