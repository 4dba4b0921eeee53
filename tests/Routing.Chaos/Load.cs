using Routing.Samples;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Routing.Adapters.Testing;

namespace Routing.Chaos;

/// <summary>One customer message the campaign sent as its provider would, and what became of the webhook.</summary>
public sealed class Webhook(string token, string channel, TimeSpan scheduledAt)
{
    public string Token { get; } = token;
    public string Channel { get; } = channel;
    public TimeSpan ScheduledAt { get; } = scheduledAt;
    public TimeSpan? AcknowledgedAt { get; set; }
    public int Attempts { get; set; }
    public string LastAnswer { get; set; } = "";
    public bool Acknowledged => AcknowledgedAt is not null;
}

/// <summary>
/// An open-loop generator: webhooks leave at a fixed rate whether or not earlier ones were answered, so a stalled stack
/// shows as a backlog instead of a slower client. Channels take turns; a share of messages comes from customers who wrote
/// before (on the same channel). Providers that retry a failed delivery (Meta, X, Mailgun) are imitated with their
/// backoff; Twilio does not retry, so an SMS webhook answered with an error is refused for good, as the provider is told.
/// With <see cref="LoadOptions.ByMail"/>, email arrives as mail handed to the instance's Postfix for the support mailbox
/// (which the email adapter reads over IMAP) instead of Mailgun's webhook; acknowledged is Postfix's 250, and a refused
/// hand-over is tried again, as the sender's mail server would.
/// </summary>
public sealed class Load(string run, LoadOptions options)
{
    public static readonly IReadOnlyList<string> Channels = ["sms", "whatsapp", "facebook", "twitter", "email", "telegram", "instagram"];
    private static readonly TimeSpan[] ProviderBackoff = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(30)];

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };
    private readonly ConcurrentDictionary<string, List<string>> _customers = new();
    private readonly Random _random = new(run.GetHashCode(StringComparison.Ordinal));
    private int _phones = Random.Shared.Next(100_000, 400_000);

    public ConcurrentBag<Webhook> Sent { get; } = [];

    /// <summary>Sends for <see cref="LoadOptions.Duration"/> at <see cref="LoadOptions.Rate"/>; returns when every webhook has its final answer.</summary>
    public async Task RunAsync(Stopwatch clock, CancellationToken ct)
    {
        var inFlight = new List<Task>();
        var count = (int)(options.Rate * options.Duration.TotalSeconds);
        var started = clock.Elapsed;
        for (var i = 0; i < count; i++)
        {
            var wait = started + TimeSpan.FromSeconds(i / options.Rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
            var channel = Channels[i % Channels.Count];
            var webhook = new Webhook($"q{run}x{i:D6}", channel, clock.Elapsed);
            Sent.Add(webhook);
            var customer = Customer(channel);
            inFlight.Add(DeliverAsync(webhook, customer, clock, ct));
            if (options.DuplicateDeliveries)
            {
                // the provider's retry racing the first delivery (to another replica, in production)
                inFlight.Add(Task.Delay(_random.Next(0, 300), ct).ContinueWith(_ => DeliverAsync(webhook, customer, clock, ct), ct, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap());
            }
        }
        await Task.WhenAll(inFlight);
    }

    private async Task DeliverAsync(Webhook webhook, string customer, Stopwatch clock, CancellationToken ct)
    {
        var retries = webhook.Channel == "sms" ? 0 : ProviderBackoff.Length;
        for (var attempt = 0; ; attempt++)
        {
            lock (webhook)
            {
                webhook.Attempts++;
            }
            var (accepted, answer) = options.ByMail && webhook.Channel == "email"
                ? await MailAsync(webhook, customer, ct)
                : await PostAsync(webhook, customer, ct);
            lock (webhook)
            {
                if (accepted)
                {
                    webhook.AcknowledgedAt ??= clock.Elapsed;
                    webhook.LastAnswer = answer;
                    return;
                }
                webhook.LastAnswer = webhook.Acknowledged ? webhook.LastAnswer : answer;
            }
            if (attempt >= retries)
            {
                return;
            }
            await Task.Delay(ProviderBackoff[attempt], ct);
        }
    }

    /// <summary>One delivery of the provider's webhook: accepted on 200, else the status or what went wrong.</summary>
    private async Task<(bool Accepted, string Answer)> PostAsync(Webhook webhook, string customer, CancellationToken ct)
    {
        try
        {
            using var request = Request(webhook, customer);
            using var response = await _http.SendAsync(request, ct);
            return (response.StatusCode == HttpStatusCode.OK, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (false, ex is TaskCanceledException ? "timeout" : "connection failed");
        }
    }

    /// <summary>A new customer, or (for <see cref="LoadOptions.ReturningShare"/> of messages) one who wrote on the channel before.</summary>
    private string Customer(string channel)
    {
        var known = _customers.GetOrAdd(channel, _ => []);
        lock (known)
        {
            if (known.Count > 0 && _random.NextDouble() < options.ReturningShare)
            {
                return known[_random.Next(known.Count)];
            }
            var digits = Interlocked.Increment(ref _phones).ToString("D6", CultureInfo.InvariantCulture);
            var customer = channel switch
            {
                "sms" => "+447700" + digits,
                "whatsapp" => "447911" + digits,
                "facebook" => "9100" + digits + "77",
                "twitter" => "80" + digits + "1",
                "telegram" => "6" + digits + "3",
                "instagram" => "17" + digits + "55",
                _ => $"customer{digits}.{run}@example.net",
            };
            known.Add(customer);
            return customer;
        }
    }

    /// <summary>The provider's signed webhook with the message; each attempt is signed afresh, as providers do.</summary>
    private HttpRequestMessage Request(Webhook webhook, string customer)
    {
        var text = $"Question {webhook.Token} about my order";
        var id = webhook.Token;
        return webhook.Channel switch
        {
            "sms" => SampleWebhooks.TwilioSms(LocalStack.Adapter("sms"), LocalStack.Secrets["Twilio__AuthToken"], "SM" + id, customer, "+15557654321", text),
            "whatsapp" => SampleWebhooks.WhatsAppText(LocalStack.Adapter("whatsapp"), LocalStack.Secrets["WhatsApp__AppSecret"], "wamid." + id, customer, "Chaos Customer", text),
            "facebook" => SampleWebhooks.MessengerText(LocalStack.Adapter("facebook"), LocalStack.Secrets["Facebook__AppSecret"], "m_" + id, customer, text),
            "twitter" => SampleWebhooks.TwitterDm(LocalStack.Adapter("twitter"), LocalStack.Secrets["Twitter__ConsumerSecret"], Numeric(id), customer, "Chaos Customer", "chaos" + customer[^6..], text),
            "telegram" => SampleWebhooks.TelegramText(LocalStack.Adapter("telegram"), LocalStack.Secrets["Telegram__SecretToken"], Number(id), Number(id),
                long.Parse(customer, CultureInfo.InvariantCulture), "Chaos", "Customer", null, text),
            "instagram" => SampleWebhooks.InstagramText(LocalStack.Adapter("instagram"), LocalStack.Secrets["Instagram__AppSecret"], "aWdf_" + id, customer, text),
            _ => SampleWebhooks.MailgunEmail(LocalStack.Adapter("email"), LocalStack.Secrets["Email__Mailgun__SigningKey"], id + "@customers.example.net", customer, "Chaos Customer",
                "My order", text),
        };
    }

    /// <summary>The customer's mail to the support mailbox, handed to Postfix over SMTP: accepted on 250, else the reply code or what went wrong.</summary>
    private static async Task<(bool Accepted, string Answer)> MailAsync(Webhook webhook, string customer, CancellationToken ct)
    {
        var mail = new MimeKit.MimeMessage
        {
            MessageId = webhook.Token + "@customers.example.net",
            Subject = "My order",
            Body = new MimeKit.TextPart("plain") { Text = $"Question {webhook.Token} about my order" },
        };
        mail.From.Add(new MimeKit.MailboxAddress("Chaos Customer", customer));
        mail.To.Add(MimeKit.MailboxAddress.Parse(SupportMailbox));
        try
        {
            using var smtp = new MailKit.Net.Smtp.SmtpClient { Timeout = 10_000 };
            await smtp.ConnectAsync(MailServers.Smtp.Host, MailServers.Smtp.Port, MailKit.Security.SecureSocketOptions.None, ct);
            await smtp.SendAsync(mail, ct);
            await smtp.DisconnectAsync(true, ct);
            return (true, "250");
        }
        catch (Exception ex) when (ex is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException
                                       or System.Net.Sockets.SocketException or TimeoutException)
        {
            return (false, ex is MailKit.Net.Smtp.SmtpCommandException command ? ((int)command.StatusCode).ToString(CultureInfo.InvariantCulture) : "connection failed");
        }
    }

    /// <summary>The mailbox the email adapter reads (deploy/local/dev.env, Email__Imap__Address).</summary>
    private const string SupportMailbox = "support@example.com";

    /// <summary>Telegram's update and message ids are numbers: a positive one from the token, the same for every delivery of it.</summary>
    private static long Number(string token) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), 0) & 0x3FFF_FFFF_FFFF_FFFF;

    /// <summary>X's event ids are numbers: the token's digits (a run's id is digits too).</summary>
    private static string Numeric(string token) => "1" + string.Concat(token.Where(char.IsAsciiDigit));
}

/// <summary>How much load a scenario offers.</summary>
public sealed record LoadOptions(double Rate, TimeSpan Duration, double ReturningShare = 0.3, bool DuplicateDeliveries = false, bool ByMail = false);
