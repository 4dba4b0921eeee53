using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using MimeKit;
using Routing.Adapters.Email;
using Routing.Adapters.Email.Inbound;
using Routing.Adapters.Email.Mime;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Outbound;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Instagram.Direct;
using Routing.Adapters.Telegram.BotApi;
using Routing.Adapters.Twitter.AccountActivity;
using Routing.Adapters.Webhooks;
using Routing.Adapters.WhatsApp.Cloud;
using Routing.AgentGateway.Admin;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Slack;
using Routing.MailAuthentication;

namespace Routing.Fuzz;

/// <summary>
/// One fuzzing target per parser that reads outside input. Each takes the bytes as the outside world would send them and
/// runs what the service runs on them: the signature check (which reads a body before anybody is authenticated), the
/// parser, and what follows before publishing. The refusals the service turns into 4xx are expected; any other exception
/// is a finding (it would be a 500, or worse).
/// </summary>
public static class Targets
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
    // Created on first use: under afl-fuzz, instrumented code (ours, MimeKit) may run only once SharpFuzz has set up the
    // coverage map, inside Fuzzer.OutOfProcess.Run, never in a static constructor run before it.
    private static readonly Lazy<IOptions<EmailOptions>> LazyEmail = new(() => Options.Create(new EmailOptions
    {
        Mailgun = new MailgunOptions { SigningKey = "fuzz" },
        Postmark = new BasicAuthOptions { Username = "u", Password = "p" },
        SendGrid = new BasicAuthOptions { Username = "u", Password = "p" },
        TrustedAuthenticationServers = ["mx.example.com"],
    }));

    private static IOptions<EmailOptions> Email => LazyEmail.Value;

    /// <summary>Attachments kept nowhere: the fuzzed mail's parts stay names.</summary>
    private static readonly Routing.Adapters.Email.Files.EmailFiles NoEmailFiles = new(Options.Create(new Routing.Adapters.Email.Files.EmailFileOptions()),
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<Routing.Adapters.Email.Files.EmailFiles>.Instance);
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false };

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["twilio"] = body => Webhook(new TwilioSmsWebhook(Options.Create(new TwilioOptions { AuthToken = "fuzz" })), body,
            "application/x-www-form-urlencoded", "X-Twilio-Signature"),
        ["whatsapp"] = body => Webhook(new WhatsAppWebhook(Options.Create(new WhatsAppOptions { AppSecret = "fuzz" })), body, "application/json",
            "X-Hub-Signature-256"),
        ["messenger"] = body => Webhook(new MessengerWebhook(Options.Create(new MessengerOptions { AppSecret = "fuzz" })), body, "application/json",
            "X-Hub-Signature-256"),
        ["instagram"] = body => Webhook(new InstagramWebhook(Options.Create(new InstagramOptions { AppSecret = "fuzz" })), body, "application/json",
            "X-Hub-Signature-256"),
        ["telegram"] = body => Webhook(new TelegramWebhook(Options.Create(new TelegramOptions { BotToken = "7264815330:fuzz", SecretToken = "fuzz" })), body,
            "application/json", "X-Telegram-Bot-Api-Secret-Token"),
        ["x"] = body => Webhook(new AccountActivityWebhook(Options.Create(new TwitterOptions { ConsumerSecret = "fuzz" }),
            new ChannelHealth("twitter", 5, TimeProvider.System, Meters, NullLogger<ChannelHealth>.Instance)), body, "application/json", "x-twitter-webhooks-signature"),
        ["mailgun"] = body => Webhook(new MailgunWebhook(Email, new FixedTime(), new EmailMetrics(Meters), NullLogger<MailgunWebhook>.Instance, NoEmailFiles), body,
            "application/x-www-form-urlencoded", null),
        ["sendgrid"] = body => Webhook(new SendGridWebhook(Email, new EmailMetrics(Meters), NullLogger<SendGridWebhook>.Instance, NoEmailFiles), body,
            "multipart/form-data; boundary=xYzZY", "Authorization"),
        ["postmark"] = body => Webhook(new PostmarkWebhook(Email, new EmailMetrics(Meters), NullLogger<PostmarkWebhook>.Instance, NoEmailFiles), body, "application/json",
            "Authorization"),
        ["mime"] = Mime,
        ["authentication-results"] = AuthenticationResults,
        ["slack-events"] = body => Slack(() => SlackPayloads.ReadEvent(body)),
        ["slack-interactivity"] = body => Slack(() => SlackPayloads.ReadInteraction(body)),
        ["agent-api"] = AgentApiBodies,
    };

    /// <summary>
    /// A delivery as the webhook endpoint handles it, once with the provider's header set to junk and once without: Verify
    /// must answer (never throw), and Parse must normalise it or refuse it as malformed.
    /// </summary>
    private static void Webhook(IChannelWebhook webhook, byte[] body, string contentType, string? signatureHeader)
    {
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        if (signatureHeader is not null)
        {
            headers[signatureHeader] = signatureHeader == "Authorization" ? "Basic dTpw" : "sha256=00";
        }
        var request = new WebhookRequest(body, headers, "https://hooks.example.com/webhooks/fuzz", contentType);
        webhook.Verify(request);
        try
        {
            var content = webhook.Parse(request, Now).WithoutUnroutableSenders();
            // what the bus would carry: every message and status must serialise
            JsonSerializer.SerializeToUtf8Bytes(content.Messages);
            JsonSerializer.SerializeToUtf8Bytes(content.Statuses);
        }
        catch (MalformedWebhookException)
        {
        }
    }

    /// <summary>A mail read over IMAP: MimeKit's parser, then the adapter's reading (text, trimming, threading, attachments, sender verdict).</summary>
    private static void Mime(byte[] body)
    {
        MimeMessage mail;
        try
        {
            mail = MimeMessage.Load(new MemoryStream(body));
        }
        catch (FormatException)
        {
            return; // the watcher flags such a mail as not routed
        }
        var reading = InboundEmail.Read(mail, "support@example.com", "imap.1.1@support@example.com", Now, [], Email.Value.TrustedAuthenticationServers);
        JsonSerializer.SerializeToUtf8Bytes(reading.Message);
    }

    private static void AuthenticationResults(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var (_, checks) = AuthenticationHeaders.ParseAuthenticationResults(text);
        var spf = AuthenticationHeaders.ParseReceivedSpf(text);
        var trusted = AuthenticationHeaders.Trusted(text.Split('\n'), ["mx.example.com"]);
        SenderAuthentication.Evaluate(text.Length > 0 ? text[..Math.Min(text.Length, 64)] : null, 1, [.. checks, .. trusted, .. spf is null ? [] : new[] { spf }]);
    }

    private static void Slack(Action read)
    {
        try
        {
            read();
        }
        catch (SlackPayloadException)
        {
        }
    }

    /// <summary>The agent and admin APIs' bodies as ASP.NET binds them (a JsonException is their 400).</summary>
    private static void AgentApiBodies(byte[] body)
    {
        foreach (var type in new[] { typeof(AgentApi.ReplyBody), typeof(AgentApi.PresenceBody), typeof(AgentApi.ReasonBody), typeof(AdminApi.NewTarget) })
        {
            try
            {
                JsonSerializer.Deserialize(body, type, ApiJson);
            }
            catch (JsonException)
            {
            }
        }
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
