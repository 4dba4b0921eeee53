using MassTransit;
using Routing.Adapters.Benchmarks;
using Routing.Samples;
using System.Diagnostics;
using System.Globalization;
using Routing.Adapters.Testing;
using Routing.Testing;

// Webhook ingestion: each adapter as it runs in production (its own process, Kestrel on loopback, a real
// RabbitMQ virtual host, publisher confirms before the 200), driven by a .NET load generator with a fixed
// number of connections; beside, in the same run, a bare endpoint that reads the body and answers 200, and one
// that also publishes it with MassTransit and waits for the broker's confirm before its 200 (what every adapter
// must do at the least before it may answer a provider).
var duration = TimeSpan.FromSeconds(Arg("--seconds", 10));
var connections = Arg("--connections", 32);
var rounds = Arg("--rounds", 3);
var secrets = AdapterProcess.DevSecrets;
const string PublishingName = "bare + publish and confirm";

await using var broker = await TestBroker.CreateAsync();
var bare = await StartBareAsync();
var publishing = await StartPublishingAsync(broker.Url);
var adapters = new (string Name, string Folder, string Assembly, int Port, Func<string, int, HttpRequestMessage> Make)[]
{
    ("sms (Twilio)", "Sms", "Routing.Adapters.Sms", 5141,
        (url, i) => SampleWebhooks.TwilioSms(url, secrets["Twilio__AuthToken"], $"SMbench{i:D26}", "+447700900123", "+15557654321", "Where is my parcel?")),
    ("whatsapp (Cloud API)", "WhatsApp", "Routing.Adapters.WhatsApp", 5143,
        (url, i) => SampleWebhooks.WhatsAppText(url, secrets["WhatsApp__AppSecret"], $"wamid.bench{i}", "447700900123", "Bench", "Where is my parcel?")),
    ("facebook (Messenger)", "Facebook", "Routing.Adapters.Facebook", 5142,
        (url, i) => SampleWebhooks.MessengerText(url, secrets["Facebook__AppSecret"], $"m_bench{i}", "1254459154682919", "Where is my parcel?")),
    ("twitter (Account Activity)", "Twitter", "Routing.Adapters.Twitter", 5144,
        (url, i) => SampleWebhooks.TwitterDm(url, secrets["Twitter__ConsumerSecret"], $"19{i:D17}", "3001969357", "Bench", "bench", "Where is my parcel?")),
    ("email (Mailgun)", "Email", "Routing.Adapters.Email", 5145,
        (url, i) => SampleWebhooks.MailgunEmail(url, secrets["Email__Mailgun__SigningKey"], $"bench{i}@example.net", "bench@example.net", "Bench", "Parcel", "Where is my parcel?")),
    ("telegram (Bot API)", "Telegram", "Routing.Adapters.Telegram", 5146,
        (url, i) => SampleWebhooks.TelegramText(url, secrets["Telegram__SecretToken"], i, i, 5093718244, "Bench", null, "bench", "Where is my parcel?")),
    ("instagram (Messenger Platform)", "Instagram", "Routing.Adapters.Instagram", 5147,
        (url, i) => SampleWebhooks.InstagramText(url, secrets["Instagram__AppSecret"], $"aWdf_bench{i}", "6970231626340297", "Where is my parcel?")),
};
// (the email adapter measures its webhook; it leaves the local mailbox to the stack)
var quiet = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning", ["Email__Imap__Host"] = "" };
var processes = adapters.Select(a => AdapterProcess.Start(a.Folder, a.Assembly, a.Port, $"http://127.0.0.1:{a.Port}", broker.Url, quiet)).ToList();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
    foreach (var a in adapters)
    {
        await AdapterHttp.WaitReadyAsync(http, $"http://127.0.0.1:{a.Port}");
    }
    var results = new Dictionary<string, List<(double Rps, double P50, double P99, int Errors)>>();
    for (var round = 0; round <= rounds; round++) // round 0 warms up and is not counted
    {
        var runs = new List<(string Name, Func<int, HttpRequestMessage> Make)>
        {
            ("bare endpoint (200 only)", i => new HttpRequestMessage(HttpMethod.Post, bare.Url) { Content = new StringContent("{}") }),
            (PublishingName, i => adapters[1].Make(publishing.Url, round * 10_000_000 + i)),
        };
        runs.AddRange(adapters.Select(a => (a.Name, (Func<int, HttpRequestMessage>)(i => a.Make($"http://127.0.0.1:{a.Port}", round * 10_000_000 + i)))));
        foreach (var (name, make) in runs)
        {
            var result = await LoadAsync(http, make, round == 0 ? TimeSpan.FromSeconds(5) : duration, connections);
            if (round > 0)
            {
                (results.TryGetValue(name, out var list) ? list : results[name] = []).Add(result);
            }
            Console.WriteLine($"round {round} {name,-26} {result.Rps,8:F0} req/s  p50 {result.P50,6:F1} ms  p99 {result.P99,6:F1} ms  errors {result.Errors}");
        }
    }
    var baseline = Median(results["bare endpoint (200 only)"].Select(r => r.Rps));
    Console.WriteLine($"\n{connections} connections, {duration.TotalSeconds:F0} s per run, median of {rounds} rounds\n");
    var floor = Median(results[PublishingName].Select(r => r.Rps));
    Console.WriteLine("| endpoint | requests/s | p50 ms | p99 ms | errors | ratio to bare | ratio to bare + publish |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var (name, list) in results)
    {
        var rps = Median(list.Select(r => r.Rps));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {rps:F0} | {Median(list.Select(r => r.P50)):F1} | {Median(list.Select(r => r.P99)):F1} | {list.Sum(r => r.Errors)} | {rps / baseline:F2} | {rps / floor:F2} |"));
    }
}
finally
{
    foreach (var p in processes)
    {
        p.Kill(entireProcessTree: true);
    }
    await bare.App.StopAsync();
    await publishing.App.StopAsync();
    await publishing.Bus.StopAsync();
}

static async Task<(double Rps, double P50, double P99, int Errors)> LoadAsync(HttpClient http, Func<int, HttpRequestMessage> make, TimeSpan duration, int connections)
{
    // Each request is built and signed by the generator inside the timed loop but outside its latency (HMAC is microseconds).
    var latencies = new List<double>[connections];
    var errors = 0;
    var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var counter = 0;
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
    {
        var mine = latencies[c] = new List<double>(100_000);
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            using var request = make(Interlocked.Increment(ref counter));
            var t0 = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / elapsed, all[(int)(all.Length * 0.50)], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], errors);
}

static async Task<(WebApplication App, string Url)> StartBareAsync()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:5140");
    var app = builder.Build();
    app.MapPost("/", async (HttpContext http) =>
    {
        await http.Request.Body.CopyToAsync(Stream.Null);
        return Results.Ok();
    });
    await app.StartAsync();
    return (app, "http://127.0.0.1:5140/");
}

// The least an adapter does before its 200: read the body and publish it (the WhatsApp sample's, about the size of a
// normalized message) with MassTransit, waiting for the broker's confirm; no signature, no parsing. Nothing is bound to
// its exchange, as nothing consumes the adapters' messages in this run either.
static async Task<(WebApplication App, IBusControl Bus, string Url)> StartPublishingAsync(string brokerUrl)
{
    var uri = new Uri(brokerUrl);
    var user = uri.UserInfo.Split(':');
    var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(uri.Host, (ushort)uri.Port, Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')), h =>
    {
        h.Username(Uri.UnescapeDataString(user[0]));
        h.Password(Uri.UnescapeDataString(user[1]));
    }));
    await bus.StartAsync();
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:5139");
    var app = builder.Build();
    // any path: the sample request is built for the adapter's own (/webhooks/whatsapp)
    app.MapPost("/{**path}", async (HttpContext http) =>
    {
        using var reader = new StreamReader(http.Request.Body);
        await bus.Publish(new IngestionCeiling(Guid.NewGuid(), await reader.ReadToEndAsync()), http.RequestAborted);
        return Results.Ok();
    });
    await app.StartAsync();
    return (app, bus, "http://127.0.0.1:5139/");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

namespace Routing.Adapters.Benchmarks
{
    /// <summary>What the publishing ceiling publishes: a webhook's body as text (MassTransit names exchanges by namespace).</summary>
    public sealed record IngestionCeiling(Guid Id, string Body);
}
