using System.Diagnostics;
using System.Globalization;
using Routing.Adapters.Testing;
using Routing.Samples;

namespace Routing.Pipeline.Benchmarks;

/// <summary>One customer message of a step: the token its text carries, and what became of its webhook.</summary>
public sealed class Sent(string token, string channel, bool returning)
{
    public string Token { get; } = token;
    public string Channel { get; } = channel;
    /// <summary>From a customer who wrote before in this run (their conversation is open: a message.received, not an assignment).</summary>
    public bool Returning { get; } = returning;
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public string Answer { get; set; } = "";
}

/// <summary>
/// Customers writing over every channel at a fixed arrival rate: an open-loop generator, so each webhook leaves at its
/// time whether or not the earlier ones were answered, and a slow stack shows as latency and backlog, never as a
/// politely slower client. The requests of a step are signed before it starts (the provider's work, not the stack's),
/// so the generator's share of the two cores during the step is sending only.
/// </summary>
public sealed class Traffic(int run, double returningShare)
{
    public static readonly IReadOnlyList<string> Channels = ["sms", "whatsapp", "facebook", "twitter", "email"];

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
    private readonly Dictionary<string, List<string>> _customers = Channels.ToDictionary(c => c, _ => new List<string>());
    private readonly Random _random = new(run);
    private int _next;

    /// <summary>The token every message of this run carries in its text: "pb", the run, the step and the message's number.</summary>
    public const string TokenPattern = @"pb\d{16}";

    /// <summary>The signed webhooks of one step, in the order they leave.</summary>
    public IReadOnlyList<(Sent Sent, HttpRequestMessage Request)> Prepare(int step, int count)
    {
        var prepared = new List<(Sent, HttpRequestMessage)>(count);
        for (var i = 0; i < count; i++)
        {
            var channel = Channels[i % Channels.Count];
            var token = string.Create(CultureInfo.InvariantCulture, $"pb{run:D6}{step:D3}{i:D7}");
            var known = _customers[channel];
            var returning = known.Count > 0 && _random.NextDouble() < returningShare;
            var customer = returning ? known[_random.Next(known.Count)] : NewCustomer(channel);
            if (!returning)
            {
                known.Add(customer);
            }
            prepared.Add((new Sent(token, channel, returning), Request(channel, token, customer)));
        }
        return prepared;
    }

    /// <summary>Sends the step's webhooks at <paramref name="rate"/> per second; returns when every one has its answer.</summary>
    public async Task SendAsync(IReadOnlyList<(Sent Sent, HttpRequestMessage Request)> prepared, double rate)
    {
        var inFlight = new Task[prepared.Count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < prepared.Count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            inFlight[i] = PostAsync(prepared[i].Sent, prepared[i].Request);
        }
        await Task.WhenAll(inFlight);
    }

    private async Task PostAsync(Sent sent, HttpRequestMessage request)
    {
        sent.At = DateTimeOffset.UtcNow;
        try
        {
            using var response = await _http.SendAsync(request);
            sent.Answer = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            sent.Answer = ex is TaskCanceledException ? "timeout" : "connection failed";
        }
        finally
        {
            sent.AnsweredAt = DateTimeOffset.UtcNow;
            request.Dispose();
        }
    }

    private string NewCustomer(string channel)
    {
        // valid numbers (UK mobiles have ten digits after the country code); the instance is the run's, started empty
        var digits = (++_next).ToString("D6", CultureInfo.InvariantCulture);
        var runDigits = run.ToString("D6", CultureInfo.InvariantCulture);
        return channel switch
        {
            "sms" => "+447700" + digits,
            "whatsapp" => "447911" + digits,
            "facebook" => "91" + runDigits + digits,
            "twitter" => "8" + runDigits + digits,
            _ => $"c{digits}.r{runDigits}@example.net",
        };
    }

    /// <summary>The provider's signed webhook carrying the message, as each provider sends it (deploy/local/samples).</summary>
    private static HttpRequestMessage Request(string channel, string token, string customer)
    {
        var text = $"Question {token} about my order";
        return channel switch
        {
            "sms" => SampleWebhooks.TwilioSms(LocalStack.Adapter("sms"), LocalStack.Secrets["Twilio__AuthToken"], "SM" + token, customer, "+15557654321", text),
            "whatsapp" => SampleWebhooks.WhatsAppText(LocalStack.Adapter("whatsapp"), LocalStack.Secrets["WhatsApp__AppSecret"], "wamid." + token, customer, "Bench Customer", text),
            "facebook" => SampleWebhooks.MessengerText(LocalStack.Adapter("facebook"), LocalStack.Secrets["Facebook__AppSecret"], "m_" + token, customer, text),
            "twitter" => SampleWebhooks.TwitterDm(LocalStack.Adapter("twitter"), LocalStack.Secrets["Twitter__ConsumerSecret"], "1" + token[2..], customer, "Bench Customer",
                "bench" + customer[^6..], text),
            _ => SampleWebhooks.MailgunEmail(LocalStack.Adapter("email"), LocalStack.Secrets["Email__Mailgun__SigningKey"], token + "@customers.example.net", customer,
                "Bench Customer", "My order", text),
        };
    }
}
