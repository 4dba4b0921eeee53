using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Polly.Timeout;
using Routing.Adapters.Outbound;
using Routing.Adapters.Telegram.BotApi;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Adapters.Tests.Telegram;

public sealed class TelegramWebhookTests
{
    private static readonly TelegramWebhook Webhook = new(Options.Create(new TelegramOptions
    {
        BotToken = TelegramCases.BotToken, SecretToken = TelegramCases.SecretToken, PreviousSecretTokens = ["rotated-out-secret-token"],
    }));

    public static TheoryData<string> Cases => new(TelegramCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, TelegramCases.PublicUrl, TelegramCases.Named(name));

    [Fact]
    public void Should_take_the_previous_secret_token_while_set_webhook_switches()
    {
        var rotated = TelegramCases.Named("text in the customer's private chat with the bot") with
        {
            Name = "rotated", Headers = new Dictionary<string, string> { [TelegramWebhook.SecretHeader] = "rotated-out-secret-token" },
        };

        Conformance.Check(Webhook, TelegramCases.PublicUrl, rotated);
    }

    [Theory]
    [InlineData("7264815330:AAdev", true)]
    [InlineData("AAdev-no-id", false)]
    [InlineData("7264815330:", false)]
    public void Should_validate_the_bot_token_without_naming_it(string token, bool valid)
    {
        var errors = new TelegramOptions { BotToken = token, SecretToken = "ok" }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        Assert.Equal(valid, errors.Count == 0);
        Assert.DoesNotContain(errors, e => e.ErrorMessage!.Contains(token, StringComparison.Ordinal));
    }
}

/// <summary>The Telegram sender with its real resilience pipeline, against a local imitation of the Bot API.</summary>
public sealed class TelegramSenderTests : IAsyncLifetime
{
    private const string TokenSecret = "AAdev-telegram-bot-token-not-a-secret";
    private readonly CapturedLogs _logs = new();
    private readonly SpanCapture _spans = new();
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await ProviderApiImitation.StartAsync("/{bot}/{method}", Sent(900));
        _services = Build(TimeSpan.FromSeconds(10));
    }

    /// <summary>The sender as the adapter registers it, with the kit's redacting HTTP logger, every log at Trace, and spans of every request.</summary>
    private ServiceProvider Build(TimeSpan attemptTimeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Telegram:BotToken"] = TelegramCases.BotToken,
            ["Telegram:SecretToken"] = TelegramCases.SecretToken,
            ["Telegram:ApiBaseUrl"] = _api.BaseUrl,
            ["Outbound:AttemptTimeout"] = attemptTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        var services = SenderServices.Build(settings, s =>
        {
            s.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
            s.AddRedactedHttpTelemetry();
            s.AddUrlSecret(sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.BotToken);
            s.AddOpenTelemetry().WithTracing(t => t.AddHttpClientInstrumentation().AddProcessor(_spans));
            s.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section);
            s.AddTransient<RetryAfterHandler>();
            s.AddChannelHealth("telegram", _ => 2);
            s.AddChannelSender<TelegramSender>(client => client.AddHttpMessageHandler<RetryAfterHandler>());
        });
        services.GetRequiredService<TracerProvider>();
        return services;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_text_to_the_customers_chat_quoting_the_message_it_answers()
    {
        _api.Then(Sent(1301));

        var outcome = await Sender.SendAsync(Command() with { ReplyToProviderMessageId = $"{TelegramCases.User}:1210" }, CancellationToken.None);

        Assert.Equal($"{TelegramCases.User}:1301", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal($"/bot{TelegramCases.BotToken}/sendMessage", request.Path);
        Assert.Equal((TelegramCases.User, "Wir schicken heute ein neues Paket.", 1210), (request.Json.GetProperty("chat_id").GetString(),
            request.Json.GetProperty("text").GetString(), request.Json.GetProperty("reply_parameters").GetProperty("message_id").GetInt32()));
    }

    [Fact]
    public async Task Should_send_a_reply_longer_than_telegram_takes_in_pieces_cut_between_words()
    {
        var text = string.Join(' ', Enumerable.Repeat("Paket", 1500)); // 8999 characters

        var outcome = await Sender.SendAsync(Command() with { Text = text }, CancellationToken.None);

        Assert.NotNull(outcome.ProviderMessageId);
        var pieces = _api.Requests.Select(r => r.Json.GetProperty("text").GetString()!).ToList();
        Assert.Equal(3, pieces.Count);
        Assert.All(pieces, p => Assert.True(p.Length <= TelegramSender.MaxText));
        Assert.Equal(text, string.Concat(pieces));
        Assert.All(pieces.SkipLast(1), p => Assert.EndsWith(" ", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_upload_a_file_from_the_gateway_with_the_text_as_its_caption()
    {
        await using var gateway = await GatewayFiles.StartAsync();
        var photo = gateway.Put("paket.png", "image/png", [0x89, 0x50, 0x4E, 0x47]);
        _api.Then(Sent(1302));

        var outcome = await Sender.SendAsync(Command() with { Attachments = [photo] }, CancellationToken.None);

        Assert.Equal($"{TelegramCases.User}:1302", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal($"/bot{TelegramCases.BotToken}/sendPhoto", request.Path);
        Assert.StartsWith("multipart/form-data", request.ContentType, StringComparison.Ordinal);
        Assert.Contains("name=caption", request.Body, StringComparison.Ordinal);
        Assert.Contains("Wir schicken heute ein neues Paket.", request.Body, StringComparison.Ordinal);
        Assert.Contains("filename=paket.png", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_wait_out_retry_after_from_the_body_then_succeed()
    {
        _api.Then(ProviderApiImitation.Json(429, new { ok = false, error_code = 429, description = "Too Many Requests: retry after 1", parameters = new { retry_after = 1 } }),
            Sent(1303));
        var started = Stopwatch.GetTimestamp();

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal($"{TelegramCases.User}:1303", outcome.ProviderMessageId);
        Assert.Equal(2, _api.Requests.Count);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(0.9), "the retry came before Telegram's retry_after");
    }

    [Theory]
    [InlineData(403, "Forbidden: bot was blocked by the user", "blocked", true)]
    [InlineData(403, "Forbidden: user is deactivated", "blocked", true)]
    [InlineData(400, "Bad Request: chat not found", "400", true)]
    public async Task Should_fail_for_good_when_the_customer_blocked_the_bot_or_the_chat_is_gone(int status, string description, string code, bool permanent)
    {
        _api.Then(ProviderApiImitation.Json(status, new { ok = false, error_code = status, description }));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code, permanent, description), (outcome.ErrorCode, outcome.Permanent, outcome.ErrorMessage));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_report_the_channel_degraded_when_telegram_refuses_the_token_and_healthy_once_a_send_goes()
    {
        var health = _services.GetRequiredService<ChannelHealth>();
        _api.Then(ProviderApiImitation.Json(401, new { ok = false, error_code = 401, description = "Unauthorized" }));

        var refused = await Sender.SendAsync(Command(), CancellationToken.None);
        var blockedBefore = health.IsDegraded;
        await Sender.SendAsync(Command(), CancellationToken.None);
        var degraded = health.IsDegraded;
        _api.Then(Sent(1304));
        await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal(("401", true), (refused.ErrorCode, refused.Permanent));
        Assert.Equal((false, true, false), (blockedBefore, degraded, health.IsDegraded));
    }

    [Fact]
    public async Task Should_leave_a_500_unknown_and_not_send_again()
    {
        _api.Then(ProviderApiImitation.Json(500, new { ok = false, error_code = 500, description = "Internal Server Error" }));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.True(outcome.Uncertain);
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_refuse_a_command_for_another_bot()
    {
        var outcome = await Sender.SendAsync(Command() with { ChannelAccount = "1111111111" }, CancellationToken.None);

        Assert.Equal(("not-configured", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    /// <summary>
    /// The token is in every Bot API URL: whatever happens (success, refusals, a reset connection, a hang), no log line at any
    /// level, no span attribute, no outcome and no exception message carries it.
    /// </summary>
    [Fact]
    public async Task Should_keep_the_bot_token_out_of_logs_spans_outcomes_and_errors()
    {
        await using var shortAttempts = Build(TimeSpan.FromSeconds(1));
        var sender = shortAttempts.GetRequiredService<IChannelSender>();
        _api.Then(Sent(1), ProviderApiImitation.Json(401, new { ok = false, error_code = 401, description = "Unauthorized" }),
            ProviderApiImitation.Json(429, new { ok = false, error_code = 429, description = "Too Many Requests: retry after 1", parameters = new { retry_after = 1 } }),
            Sent(2), ProviderApiImitation.Reset(), ProviderApiImitation.Hang());
        var said = new List<string>();

        for (var i = 0; i < 5; i++)
        {
            try
            {
                var outcome = await sender.SendAsync(Command(), CancellationToken.None);
                said.Add($"{outcome.ErrorCode} {outcome.ErrorMessage}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException)
            {
                said.Add(ex.ToString());
            }
        }

        var urls = _spans.Tags.Where(t => t.Key == "url.full").Select(t => t.Value).ToList();
        Assert.NotEmpty(_logs.Lines);
        Assert.NotEmpty(urls);
        Assert.Contains(urls, url => url.EndsWith("/[redacted]/sendMessage", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(TokenSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(_spans.Tags, tag => tag.Value.Contains(TokenSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(said, text => text.Contains(TokenSecret, StringComparison.Ordinal));
    }

    private static Func<HttpContext, Task> Sent(int messageId) => ProviderApiImitation.Json(200, new
    {
        ok = true,
        result = new { message_id = messageId, date = 1764580300, chat = new { id = long.Parse(TelegramCases.User, System.Globalization.CultureInfo.InvariantCulture), type = "private" } },
    });

    private static SendChannelMessage Command() => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "telegram",
        ChannelAccount = TelegramCases.Bot,
        To = new CustomerAddress { Kind = "telegram", Value = TelegramCases.User },
        Text = "Wir schicken heute ein neues Paket.",
        RequestedAt = DateTimeOffset.UtcNow,
    };

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }

    private sealed class SpanCapture : BaseProcessor<Activity>
    {
        public ConcurrentQueue<KeyValuePair<string, string>> Tags { get; } = new();

        public override void OnEnd(Activity data)
        {
            Tags.Enqueue(new("display", data.DisplayName));
            foreach (var tag in data.TagObjects)
            {
                Tags.Enqueue(new(tag.Key, tag.Value?.ToString() ?? ""));
            }
        }
    }
}

/// <summary>The Telegram adapter over HTTP on a real broker: an update published, bad input refused.</summary>
public sealed class TelegramEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new TelegramAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_publish_a_customers_photo_with_their_name_and_answer_200()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var response = await PostAsync(TelegramCases.Named("photo with a caption: the largest size"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await inbound.WaitForAsync(m => m.ProviderMessageId == $"{TelegramCases.User}:1205");
        Assert.Equal(("Lena Vogel", "telegram-file:AgACAgIAAxkBAAIBs_large"), (message.Sender.DisplayName, message.Attachments.Single().Url));
    }

    [Theory]
    [InlineData("a wrong secret token", HttpStatusCode.Forbidden, null)]
    [InlineData("no secret token", HttpStatusCode.Unauthorized, null)]
    [InlineData("a private message without its sender", HttpStatusCode.BadRequest, "message.from")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(TelegramCases.Named(name));
        using var ignored = await PostAsync(TelegramCases.Named("a group the bot is in: not routed"));

        await AssertRefusedAsync(refused, expected, field);
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        using var accepted = await PostAsync(TelegramCases.Named("text in the customer's private chat with the bot"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == $"{TelegramCases.User}:1204");
        Assert.Single(inbound.Messages);
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/telegram"));

    private sealed class TelegramAdapterApp(string brokerUrl) : WebApplicationFactory<TelegramWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Telegram:BotToken", TelegramCases.BotToken);
            builder.UseSetting("Telegram:SecretToken", TelegramCases.SecretToken);
        }
    }
}
