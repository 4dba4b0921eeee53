using Routing.Samples;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// One trace from a provider's webhook request, through the adapter's publish and the broker, to the
/// routing consumer, its decision and, through the outbox, the events it published: what an operator
/// follows in their tracing backend when a message goes astray or is slow.
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
            ShouldListenTo = source => source.Name.StartsWith("MassTransit", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore"
                || source.Name.StartsWith(Routing.ServiceDefaults.ServiceTracing.SourcePrefix, StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await CreateAgentAsync("anna", 1, ["sms"]);
        await using var adapter = new SmsAdapter(Broker.Url);
        using var client = adapter.CreateClient();
        await WaitReadyAsync(client);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();

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

        // the decision, and the events the outbox published after commit, are in the same trace
        var conversation = (await assigned.WaitForAsync(m => m.ConversationId == message.ConversationId)).ConversationId;
        await Eventually.TrueAsync("both events published from the outbox in the webhook's trace",
            () => Task.FromResult(activities.Count(a => a.TraceId == trace && a.DisplayName == "outbox publish") >= 2));
        inTrace = activities.Where(a => a.TraceId == trace).ToList();
        var decision = Assert.Single(inTrace, a => a.DisplayName == "routing decision");
        Assert.Equal("open", decision.GetTagItem("routing.conversation.status"));
        Assert.False(string.IsNullOrEmpty(decision.GetTagItem("routing.reason") as string));
        Assert.Equal("anna", decision.GetTagItem("routing.agent.id"));
        Assert.Equal(conversation, decision.GetTagItem("routing.conversation.id"));
        var published = inTrace.Where(a => a.DisplayName == "outbox publish").Select(a => a.GetTagItem("routing.event.type")).ToList();
        Assert.Contains(nameof(MessageRouted), published);
        Assert.Contains(nameof(ConversationAssigned), published);
        // MassTransit's sends are children of those spans: the broker's headers carry the trace on to the events' consumers
        Assert.Contains(inTrace, a => a.Kind == ActivityKind.Producer && a.DisplayName.Contains(nameof(ConversationAssigned), StringComparison.Ordinal));
        Assert.Contains(inTrace, a => a.Kind == ActivityKind.Producer && a.DisplayName.Contains(nameof(MessageRouted), StringComparison.Ordinal));
        // nothing personal in any span of the trace
        Assert.DoesNotContain(inTrace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("447700900123", StringComparison.Ordinal) == true);
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
