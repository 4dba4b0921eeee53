using Routing.Samples;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Contracts;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// One trace from a provider's webhook request, through the adapter's publish and the broker, to the
/// routing consumer: what an operator follows in their tracing backend when a message goes astray.
/// </summary>
public sealed class WebhookTraceTests : BrokerTest
{
    private const string AuthToken = "trace-test-twilio-token";

    [Fact]
    public async Task Should_carry_the_webhook_requests_trace_into_the_routing_consumer()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("MassTransit", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await CreateAgentAsync("anna", 1, ["sms"]);
        await using var adapter = new SmsAdapter(Broker.Url);
        using var client = adapter.CreateClient();
        await WaitReadyAsync(client);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();

        var sid = "SM" + Guid.NewGuid().ToString("N");
        var trace = ActivityTraceId.CreateRandom();
        using var request = SampleWebhooks.TwilioSms("http://localhost", AuthToken, sid, "+447700900123", "+15557654321", "Where is my parcel?");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        var message = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("sms", sid));

        Assert.Equal("anna", message.AgentId);
        var inTrace = activities.Where(a => a.TraceId == trace).ToList();
        Assert.Contains(inTrace, a => a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server);
        Assert.Contains(inTrace, a => a.Kind == ActivityKind.Producer && a.DisplayName.Contains("InboundMessageReceived", StringComparison.Ordinal));
        Assert.True(inTrace.Any(a => a.Kind == ActivityKind.Consumer && a.DisplayName.Contains("inbound-message-received", StringComparison.Ordinal)),
            "no routing consumer span in the webhook's trace; spans seen: " + string.Join(", ", inTrace.Select(a => $"{a.Source.Name}/{a.Kind}/{a.DisplayName}")));
    }

    private sealed class SmsAdapter(string brokerUrl) : WebApplicationFactory<Routing.Adapters.Sms.SmsAdapterEntryPoint>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "http://localhost");
            builder.UseSetting("Twilio:AuthToken", AuthToken);
        }
    }
}
