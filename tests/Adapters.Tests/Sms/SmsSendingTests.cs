using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using Routing.ServiceDefaults;
using Routing.Testing;

namespace Adapters.Tests.Sms;

/// <summary>The SMS adapter's outbound half over a real RabbitMQ: a command sent to its queue reaches the (imitated) Twilio API.</summary>
public sealed class SmsSendingTests : AdapterEndpointTest
{
    private ProviderApiImitation _api = null!;
    private SmsAdapterApp _app = null!;

    public override async Task InitializeAsync()
    {
        _api = await TwilioApiImitation.StartAsync();
        await base.InitializeAsync();
        // ready is not bound: the first test of the class once sent its command before the adapter's queue existed
        await Broker.WaitForConsumerAsync("sms-send-channel-message");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _api.DisposeAsync();
    }

    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new SmsAdapterApp(brokerUrl, new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Twilio:ApiBaseUrl"] = _api.BaseUrl,
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        });
        _app = app;
        return (app, app.CreateClient());
    }

    /// <summary>adapter.sends as this adapter's instruments record it: (channel, outcome) of each send.</summary>
    private InstrumentRecorder Sends() => new(_app.Services.GetRequiredService<IMeterFactory>(), WebhookMetrics.MeterName);

    private static IEnumerable<(object?, object?)> Outcomes(InstrumentRecorder recorder) =>
        recorder.Of("adapter.sends").Select(m => (m.Tags[TelemetryAttributes.Channel], m.Tags[TelemetryAttributes.SendOutcome]));

    [Fact]
    public async Task Should_send_a_command_from_its_queue_and_publish_the_outcome()
    {
        using var sends = Sends();
        await using var sent = await Broker.ObserveAsync<OutboundMessageSent>();
        await using var failed = await Broker.ObserveAsync<OutboundMessageFailed>();
        _api.Then(TwilioApiImitation.Created("SMsent1"), TwilioApiImitation.Error(400, 21610, "Attempt to send to unsubscribed recipient"));
        var ok = Command("+12125550123");
        var unsubscribed = Command("+12125550199");

        await Broker.SendAsync("sms-send-channel-message", ok);
        var success = await sent.WaitForAsync(s => s.CommandId == ok.CommandId);
        await Broker.SendAsync("sms-send-channel-message", unsubscribed);
        var failure = await failed.WaitForAsync(f => f.CommandId == unsubscribed.CommandId);

        Assert.Equal(("SMsent1", ok.ConversationId, ok.AgentId), (success.ProviderMessageId, success.ConversationId, success.AgentId)); // who wrote it: routing's first response
        Assert.Equal(("21610", true), (failure.ErrorCode, failure.Permanent));
        Assert.Equal(["+12125550123", "+12125550199"], _api.Requests.Select(r => r.Form["To"].Single()));
        Assert.Equal([("sms", "sent"), ("sms", "failed-permanently")], Outcomes(sends));
    }

    /// <summary>
    /// The duplicate make chaos found (broker-kill): a command delivered again after its acknowledgement was lost with the
    /// broker, or sent again by the gateway after an unanswered publish, reached the customer twice. Now the first send
    /// answers for it, and two copies at once make one request.
    /// </summary>
    [Fact]
    public async Task Should_send_a_command_delivered_again_only_once()
    {
        using var sends = Sends();
        await using var sent = await Broker.ObserveAsync<OutboundMessageSent>();
        _api.Then(TwilioApiImitation.Created("SMonce1"), TwilioApiImitation.Created("SMtwice2"));
        var command = Command("+12125550142");

        await Task.WhenAll(Broker.SendAsync("sms-send-channel-message", command), Broker.SendAsync("sms-send-channel-message", command));
        await sent.WaitForCountAsync(2);
        await Broker.SendAsync("sms-send-channel-message", command);
        await sent.WaitForCountAsync(3);

        Assert.Single(_api.Requests);
        Assert.All(sent.Messages, s => Assert.Equal((command.CommandId, "SMonce1"), (s.CommandId, s.ProviderMessageId)));
        Assert.Equal([("sms", "sent")], Outcomes(sends));
    }

    /// <summary>
    /// Twilio takes the request and gives no clear answer (make chaos, provider-reset: the connection dropped; here a 500):
    /// the SMS may be on its way. Retrying sent it twice; now the outcome is reported unknown, and a redelivery of the command sends nothing.
    /// </summary>
    [Fact]
    public async Task Should_report_an_unknown_outcome_and_not_send_again_when_the_answer_is_lost()
    {
        using var sends = Sends();
        await using var failed = await Broker.ObserveAsync<OutboundMessageFailed>();
        // (A dropped connection is the same case for the consumer; the sender's own test drops one. This one answers 500,
        // which arrives the same way on a loaded machine: the dropped connection once hung this test in a clean clone.)
        _api.Then(TwilioApiImitation.Error(500, 20500, "Internal Server Error"), TwilioApiImitation.Created("SMsecond"));
        var command = Command("+12125550177");

        await Broker.SendAsync("sms-send-channel-message", command);
        await failed.WaitForCountAsync(1);
        await Broker.SendAsync("sms-send-channel-message", command);
        await failed.WaitForCountAsync(2);

        Assert.Single(_api.Requests);
        Assert.All(failed.Messages, f => Assert.Equal((command.CommandId, "20500", true, false), (f.CommandId, f.ErrorCode, f.OutcomeUnknown, f.Permanent)));
        Assert.Equal([("sms", "unknown")], Outcomes(sends));
    }

    /// <summary>
    /// make chaos (broker-kill) found replies on every channel sent twice: the broker connection dropped while a send was
    /// under way, MassTransit cancelled the consume, the cancellation aborted the request the provider had already taken,
    /// and the send was forgotten; the command came back after the reconnect and went out again. A send once begun now
    /// runs to its answer, which answers the redelivery.
    /// </summary>
    [Fact]
    public async Task Should_finish_a_send_under_way_when_the_broker_connection_drops_and_not_send_it_again()
    {
        await using var sent = await Broker.ObserveAsync<OutboundMessageSent>();
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _api.Then(async context =>
        {
            requested.TrySetResult();
            await answer.Task;
            await TwilioApiImitation.Created("SMslow1")(context);
        }, TwilioApiImitation.Created("SMagain2"));
        var command = Command("+12125550188");

        await Broker.SendAsync("sms-send-channel-message", command);
        await requested.Task.WaitAsync(Eventually.Patience);
        // (the management API lists a connection a few seconds after it opened)
        await Eventually.TrueAsync("the adapter's broker connections closed", async () => await Broker.CloseServiceConnectionsAsync() > 0);
        await Task.Delay(TimeSpan.FromSeconds(1));
        answer.SetResult();
        var outcome = await sent.WaitForAsync(s => s.CommandId == command.CommandId);

        Assert.Equal("SMslow1", outcome.ProviderMessageId);
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_not_receive_a_published_command_meant_for_any_channel()
    {
        await using var failed = await Broker.ObserveAsync<OutboundMessageFailed>();
        var whatsapp = Command("+12125550123") with { Channel = "whatsapp" };
        var mine = Command("+12125550124");

        // A command published to the type's exchange reaches no adapter queue; one sent to the queue does.
        await Broker.PublishAsync(whatsapp);
        _api.Then(TwilioApiImitation.Error(400, 21211, "Invalid 'To' Phone Number"));
        await Broker.SendAsync("sms-send-channel-message", mine);
        await failed.WaitForAsync(f => f.CommandId == mine.CommandId);

        Assert.DoesNotContain(failed.Messages, f => f.CommandId == whatsapp.CommandId);
        Assert.Single(_api.Requests);
    }

    private static SendChannelMessage Command(string to) => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "sms",
        ChannelAccount = "+15557654321",
        To = new CustomerAddress { Kind = "phone", Value = to },
        Text = "Thanks, we are on it.",
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
