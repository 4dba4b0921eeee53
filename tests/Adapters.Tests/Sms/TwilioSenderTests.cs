using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;
using Routing.Adapters.Outbound;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Adapters.Tests.Sms;

/// <summary>The Twilio sender with its real resilience pipeline, against a local imitation of the Messages API.</summary>
public sealed class TwilioSenderTests : IAsyncLifetime
{
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await TwilioApiImitation.StartAsync();
        // Generous per attempt, so a slow moment of a busy machine is not mistaken for a hang.
        _services = Build(TimeSpan.FromSeconds(10));
    }

    private ServiceProvider Build(TimeSpan attemptTimeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = TwilioCases.AuthToken,
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Twilio:ApiBaseUrl"] = _api.BaseUrl,
            ["Webhooks:PublicBaseUrl"] = "https://hooks.example.com",
            ["Outbound:AttemptTimeout"] = attemptTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Outbound:TotalTimeout"] = "00:01:00",
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        return SenderServices.Build<TwilioSender>(settings, s =>
        {
            s.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section);
            s.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_through_the_messages_api_and_return_the_sid()
    {
        _api.Then(TwilioApiImitation.Created("SMabc"));
        var command = Command();

        var outcome = await Sender.SendAsync(command, CancellationToken.None);

        Assert.Equal("SMabc", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String("AC0123456789abcdef0123456789abcdef:dev-twilio-auth-token-not-a-secret"u8.ToArray()), request.Authorization);
        Assert.Equal(["+12125550123"], request.Form["To"]);
        Assert.Equal(["+15557654321"], request.Form["From"]);
        Assert.Equal(["Your parcel ships today."], request.Form["Body"]);
        Assert.Equal([$"https://hooks.example.com/webhooks/sms/twilio?command={command.CommandId:N}"], request.Form["StatusCallback"]);
        Assert.Equal(["https://cdn.example.com/label.pdf"], request.Form["MediaUrl"]);
    }

    [Theory]
    [InlineData(400, 21211, true)]   // invalid 'To' number
    [InlineData(400, 21610, true)]   // the recipient replied STOP
    [InlineData(401, 20003, true)]   // bad credentials: retrying the same request cannot help
    public async Task Should_fail_without_retrying_on_a_permanent_error(int status, int code, bool permanent)
    {
        _api.Then(TwilioApiImitation.Error(status, code, "refused"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code.ToString(System.Globalization.CultureInfo.InvariantCulture), permanent), (outcome.ErrorCode, outcome.Permanent));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_wait_for_retry_after_on_429_then_succeed()
    {
        _api.Then(TwilioApiImitation.Error(429, 20429, "Too Many Requests", retryAfter: "1"), TwilioApiImitation.Created("SMafter429"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("SMafter429", outcome.ProviderMessageId);
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public async Task Should_retry_503_then_succeed()
    {
        _api.Then(TwilioApiImitation.Error(503, 20503, "Service Unavailable"), TwilioApiImitation.Error(503, 20503, "Service Unavailable"), TwilioApiImitation.Created("SMafter503"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("SMafter503", outcome.ProviderMessageId);
        Assert.Equal(3, _api.Requests.Count);
    }

    [Fact]
    public async Task Should_report_a_transient_failure_when_503_outlasts_the_retries()
    {
        _api.Then(TwilioApiImitation.Error(503, 20503, "Service Unavailable"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal(("20503", false, false), (outcome.ErrorCode, outcome.Permanent, outcome.Uncertain));
        Assert.Equal(4, _api.Requests.Count); // the first attempt and 3 retries
    }

    [Theory]
    [InlineData(500, 20500)]
    [InlineData(502, 20502)]
    [InlineData(408, 20408)]
    public async Task Should_not_retry_an_answer_after_which_the_message_may_have_gone_out(int status, int code)
    {
        // Twilio, error 20500: "sending an SMS ... [is] not idempotent. If you get a 500 ... and you retry, it is possible
        // for a customer to receive multiple messages".
        _api.Then(TwilioApiImitation.Error(status, code, "Internal Server Error"), TwilioApiImitation.Created("SMduplicate"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code.ToString(System.Globalization.CultureInfo.InvariantCulture), true, false), (outcome.ErrorCode, outcome.Uncertain, outcome.Permanent));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_not_retry_when_the_connection_drops_after_the_request_was_written()
    {
        _api.Then(ProviderApiImitation.Reset(), TwilioApiImitation.Created("SMduplicate"));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => Sender.SendAsync(Command(), CancellationToken.None));

        Assert.False(ProviderResilience.NeverSent(failure));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_not_retry_a_hanging_provider()
    {
        _api.Then(TwilioApiImitation.Hang());
        await using var shortAttempts = Build(TimeSpan.FromSeconds(1));

        // The attempt hangs past its timeout: the provider may have the message, so the consumer reports the outcome unknown.
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => shortAttempts.GetRequiredService<IChannelSender>().SendAsync(Command(), CancellationToken.None));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_retry_a_connection_that_never_opened()
    {
        var attempts = 0;
        await using var services = SenderServices.Build<TwilioSender>(new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = TwilioCases.AuthToken,
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Twilio:ApiBaseUrl"] = _api.BaseUrl,
            ["Webhooks:PublicBaseUrl"] = "https://hooks.example.com",
            ["Outbound:RetryBaseDelay"] = "00:00:00.010",
        }, s =>
        {
            s.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section);
            s.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
            // Every connection is refused, as by a provider's address that does not answer.
            s.ConfigureHttpClientDefaults(b => b.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = (_, _) =>
                {
                    Interlocked.Increment(ref attempts);
                    throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
                },
            }));
        });

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => services.GetRequiredService<IChannelSender>().SendAsync(Command(), CancellationToken.None));

        Assert.True(ProviderResilience.NeverSent(failure));
        Assert.Equal(4, attempts); // the first attempt and 3 retries: nothing reached Twilio, so nothing can go out twice
        Assert.Empty(_api.Requests);
    }

    private static SendChannelMessage Command() => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "sms",
        ChannelAccount = "+15557654321",
        To = new CustomerAddress { Kind = "phone", Value = "+12125550123" },
        Text = "Your parcel ships today.",
        Attachments = [new MessageAttachment { ContentType = "application/pdf", Url = "https://cdn.example.com/label.pdf" }],
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
