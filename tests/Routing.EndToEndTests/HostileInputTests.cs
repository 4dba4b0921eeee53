using Routing.Samples;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// Hostile input against every HTTP endpoint that takes a body, on the running stack (issue 16): invalid UTF-8, deep
/// nesting, huge numbers, duplicate keys and parameters, wrong and missing content types, empty and oversized bodies
/// (chunked ones too), signature headers sent twice or oddly cased, stale timestamps. Every row must be refused with
/// 400, 401, 403, 413 or 415 as problem+json, publish nothing, and leave the service serving.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.Observer observer) : IClassFixture<HostileInputTests.Observer>
{
    private static readonly int[] Refusals = [400, 401, 403, 413, 415];

    public static TheoryData<string, string> Rows
    {
        get
        {
            var rows = new TheoryData<string, string>();
            foreach (var endpoint in Endpoints.All)
            {
                foreach (var hostile in HostileCases.For(endpoint))
                {
                    rows.Add(endpoint.Name, hostile.Name);
                }
            }
            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Should_refuse_with_problem_details_publish_nothing_and_keep_serving(string endpointName, string caseName)
    {
        var endpoint = Endpoints.Named(endpointName);
        var marker = "hostile" + Guid.NewGuid().ToString("N")[..12];
        var hostile = HostileCases.For(endpoint).Single(c => c.Name == caseName);
        using var http = new HttpClient { BaseAddress = new Uri(endpoint.Service()), Timeout = TimeSpan.FromSeconds(60) };

        using var response = await http.SendAsync(hostile.Build(marker));

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(hostile.Expected.Contains(status), $"{endpointName} / {caseName}: {status}, expected {string.Join(" or ", hostile.Expected)}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        if (endpoint.Publishes)
        {
            await Task.Delay(300);
            Assert.DoesNotContain(observer.Inbound.Messages, m => JsonSerializer.Serialize(m).Contains(marker, StringComparison.Ordinal));
        }
    }

    /// <summary>The endpoints that take their input in the query: X's challenge-response check and Meta's subscription check.</summary>
    public static TheoryData<string, string, int> QueryRows => new()
    {
        { "twitter", "/webhooks/twitter", 400 },
        { "twitter", "/webhooks/twitter?crc_token=", 400 },
        { "twitter", "/webhooks/twitter?crc_token=abc&crc_token=def", 400 },
        { "twitter", "/webhooks/twitter?crc_token=" + new string('a', 300), 400 },
        { "twitter", "/webhooks/twitter?crc_token=%FF%FE%7B%22a%22%3A1%7D", 400 },
        { "twitter", "/webhooks/twitter?crc_token=" + Uri.EscapeDataString("{\"for_user_id\":\"1\"}"), 400 }, // a body to have signed: refused
        { "whatsapp", "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong", 403 },
        { "whatsapp", "/webhooks/whatsapp?hub.challenge=1&hub.verify_token=", 403 },
        { "facebook", "/webhooks/facebook?hub.mode=subscribe&hub.mode=subscribe&hub.challenge=1&hub.verify_token=%FF", 403 },
    };

    [Theory]
    [MemberData(nameof(QueryRows))]
    public async Task Should_refuse_a_hostile_query_with_problem_details(string adapter, string pathAndQuery, int expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(LocalStack.Adapter(adapter)) };

        using var response = await http.GetAsync(pathAndQuery);

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>The APIs' query parameters, with their callers' credentials: a number that is not one, or out of range, or a value twice.</summary>
    public static TheoryData<string, string> ApiQueryRows => new()
    {
        { "agent", "/me/conversations?limit=abc" },
        { "agent", "/me/conversations?limit=99999999999" },
        { "agent", "/me/conversations?limit=0" },
        { "agent", "/me/conversations?status=open&status=closed" },
        { "agent", "/me/conversations?status=%FF" },
        { "operator", "/conversations?limit=abc" },
        { "operator", "/conversations?customerId=not-a-guid" },
        { "operator", "/customers/lookup?kind=phone&value=%FF%FE" },
    };

    [Theory]
    [MemberData(nameof(ApiQueryRows))]
    public async Task Should_refuse_a_hostile_api_query_with_problem_details(string caller, string pathAndQuery)
    {
        var (service, token) = caller == "agent"
            ? (LocalStack.Gateway, Endpoints.AgentToken.Value)
            : (LocalStack.Routing, LocalStack.Secrets["Routing__Api__Tokens__operator__Token"]);
        using var http = new HttpClient { BaseAddress = new Uri(service) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.GetAsync(pathAndQuery);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{pathAndQuery}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>After the hostile rows, every endpoint still takes what its caller really sends.</summary>
    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task Should_still_take_a_valid_request(string endpointName)
    {
        var endpoint = Endpoints.Named(endpointName);
        var marker = "valid" + Guid.NewGuid().ToString("N")[..12];
        using var http = new HttpClient { BaseAddress = new Uri(endpoint.Service()), Timeout = TimeSpan.FromSeconds(60) };

        using var response = await http.SendAsync(endpoint.Request(endpoint.Valid(marker), endpoint.ContentType));

        Assert.True((int)response.StatusCode is >= 200 and < 300 || endpoint.ValidAnswer == (int)response.StatusCode,
            $"{endpointName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (endpoint.Publishes)
        {
            await observer.Inbound.WaitForAsync(m => JsonSerializer.Serialize(m).Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }
    }

    public static TheoryData<string> EndpointNames => new(Endpoints.All.Select(e => e.Name));

    /// <summary>Watches what the adapters publish on the stack's broker, for the rows to show they published nothing.</summary>
    public sealed class Observer : IAsyncLifetime
    {
        private TestBroker _broker = null!;

        public EventStream<InboundMessageReceived> Inbound { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await LocalStack.RequireReadyAsync();
            _broker = await TestBroker.AttachToStackAsync();
            Inbound = await _broker.ObserveAsync<InboundMessageReceived>();
        }

        public async Task DisposeAsync()
        {
            await Inbound.DisposeAsync();
            await _broker.DisposeAsync();
        }
    }
}

internal enum BodyFormat
{
    Json,
    Form,
    Multipart,
}

/// <summary>
/// One endpoint: where it is, what it takes, a valid body (carrying a marker), and how its caller authenticates a body
/// (a provider's signature, basic authentication, a bearer token), so that hostile bodies reach the parser signed.
/// </summary>
internal sealed record Endpoint(string Name, Func<string> Service, string Path, BodyFormat Format, string ContentType, Func<string, byte[]> Valid,
    Func<byte[], (byte[] Body, (string Name, string Value)[] Headers)> Sign, string[] SignatureHeaders, long Cap, bool Publishes, bool BodySigned,
    HttpMethod? Method = null, int ValidAnswer = 0)
{
    public HttpRequestMessage Request(byte[] body, string? contentType, bool chunked = false, Func<(string Name, string Value)[], (string, string)[]>? headers = null,
        bool sign = true, bool expectContinue = false)
    {
        var (signedBody, signature) = sign ? Sign(body) : (body, []);
        var request = new HttpRequestMessage(Method ?? HttpMethod.Post, Path)
        {
            Content = chunked ? new StreamContent(new UnknownLengthStream(signedBody)) : new ByteArrayContent(signedBody),
        };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        request.Headers.ExpectContinue = expectContinue ? true : null;
        foreach (var (name, value) in headers?.Invoke(signature) ?? signature)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>A body whose length is not known up front: sent chunked, without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] body) : MemoryStream(body)
    {
        public override bool CanSeek => false;
    }
}

internal sealed record HostileCase(string Name, Func<string, HttpRequestMessage> Build, int[] Expected);

internal static class HostileCases
{
    private static readonly int[] BadRequest = [400];
    private static readonly int[] Unauthenticated = [401];
    private static readonly int[] TooLarge = [413];
    private static readonly int[] Unsupported = [415];

    public static IReadOnlyList<HostileCase> For(Endpoint e)
    {
        // Where the signature covers the parsed form (Twilio) or sits in it (Mailgun), a body the adapter cannot read
        // cannot be signed at all: refused as unsigned or forged rather than as malformed, which is as good.
        var malformed = e.BodySigned ? BadRequest : [400, 401, 403];
        var cases = new List<HostileCase>
        {
            new("empty body", _ => e.Request([], e.ContentType), malformed),
            new("invalid UTF-8", m => e.Request(InvalidUtf8(e, m), e.ContentType), malformed),
            new("duplicate key or parameter", m => e.Request(Duplicated(e, m), e.ContentType), malformed),
            new("wrong content type", m => e.Request(e.Valid(m), e.Format == BodyFormat.Json ? "text/plain" : "application/json"), Unsupported),
            new("no content type", m => e.Request(e.Valid(m), null), Unsupported),
            // as a careful client sends a large body: it waits for 100 Continue, so the 413 is not lost to a connection closed mid-upload
            new("oversized body", _ => e.Request(Oversized(e), e.ContentType, expectContinue: true), TooLarge),
            new("oversized body, chunked (no Content-Length)", _ => e.Request(Oversized(e), e.ContentType, chunked: true), TooLarge),
            new("not signed", m => e.Request(e.Valid(m), e.ContentType, sign: false), Unauthenticated),
            new("signature header twice", m => e.Name == "mailgun"
                ? e.Request(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(e.Valid(m)) + Mailgun.Fields(DateTimeOffset.UtcNow) + "&signature=00"), e.ContentType, sign: false)
                : e.Request(e.Valid(m), e.ContentType,
                    headers: h => h.Concat(h.Where(x => e.SignatureHeaders.Contains(x.Name)).Select(x => (x.Name, x.Value.Length > 8 ? x.Value[..^4] + "AAAA" : "forged"))).ToArray()),
                [401, 403]),
            new("oddly cased signature header, hostile body", m => e.Request(WrongShape(e, m), e.ContentType,
                headers: h => h.Select(x => e.SignatureHeaders.Contains(x.Name) ? (OddCase(x.Name), x.Value) : x).ToArray()), malformed),
        };
        if (e.Format == BodyFormat.Json || e.Name is "slack interactivity")
        {
            cases.Add(new("deep nesting", _ => e.Request(Wrap(e, new string('[', 10_000) + new string(']', 10_000)), e.ContentType), malformed));
            cases.Add(new("huge number", _ => e.Request(Wrap(e, "1e99999"), e.ContentType), malformed));
            cases.Add(new("huge string", _ => e.Request(Wrap(e, "\"" + new string('x', 512 * 1024) + "\""), e.ContentType), malformed));
            cases.Add(new("the wrong shape (an array for an object, or the other way)", m => e.Request(WrongShape(e, m), e.ContentType), malformed));
        }
        if (e.Format == BodyFormat.Multipart)
        {
            cases.Add(new("multipart without a boundary", m => e.Request(e.Valid(m), "multipart/form-data"), malformed));
        }
        if (e.Name is "slack events" or "slack interactivity")
        {
            cases.Add(new("stale timestamp (a replay)", m => e.Request(e.Valid(m), e.ContentType,
                headers: _ => Slack.Headers(e.Valid(m), DateTimeOffset.UtcNow.AddMinutes(-10))), [403]));
        }
        if (e.Name == "mailgun")
        {
            cases.Add(new("stale timestamp (a replay)", m => e.Request(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(e.Valid(m))
                + Mailgun.Fields(DateTimeOffset.UtcNow.AddMinutes(-20))), e.ContentType, sign: false), [403]));
        }
        return cases;
    }

    /// <summary>A JSON body where the endpoint wants one; for a form, the JSON in the field that carries it.</summary>
    private static byte[] Wrap(Endpoint e, string json) =>
        e.Name == "slack interactivity" ? Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json)) : Encoding.UTF8.GetBytes(json);

    private static byte[] NotAnObject(Endpoint e, string marker) => e.Format switch
    {
        BodyFormat.Json => Encoding.UTF8.GetBytes($"[\"{marker}\"]"),
        _ when e.Name == "slack interactivity" => Wrap(e, $"[\"{marker}\"]"),
        _ => Encoding.UTF8.GetBytes("x=" + marker), // a form without the fields the channel needs
    };

    /// <summary>Where the body is a JSON array (a list of agent ids), an object is what it must not be.</summary>
    private static byte[] WrongShape(Endpoint e, string marker) =>
        e.Valid(marker) is [(byte)'[', ..] ? Encoding.UTF8.GetBytes($"{{\"x\":\"{marker}\"}}") : NotAnObject(e, marker);

    private static byte[] InvalidUtf8(Endpoint e, string marker)
    {
        var valid = e.Valid(marker);
        // inside the first string (JSON) or value (form); SendGrid's text fields may be in any charset (it says which in
        // "charsets"), but its envelope is JSON, which is UTF-8
        var at = e.Format switch
        {
            BodyFormat.Multipart => IndexOf(valid, "{\"to\""u8.ToArray()) + 2,
            BodyFormat.Json => IndexOf(valid, "\""u8.ToArray()) + 1,
            _ => IndexOf(valid, "="u8.ToArray()) + 1,
        };
        return [.. valid[..at], 0xC3, 0x28, 0xFF, 0xFE, .. valid[at..]];
    }

    private static byte[] Duplicated(Endpoint e, string marker)
    {
        var text = Encoding.UTF8.GetString(e.Valid(marker));
        switch (e.Format)
        {
            case BodyFormat.Json:
                using (var document = JsonDocument.Parse(text))
                {
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return Encoding.UTF8.GetBytes($"{{\"x\":\"{marker}\",\"x\":\"{marker}\"}}");
                    }
                    var first = document.RootElement.EnumerateObject().First();
                    return Encoding.UTF8.GetBytes("{" + JsonSerializer.Serialize(first.Name) + ":" + first.Value.GetRawText() + "," + text.TrimStart()[1..]);
                }
            case BodyFormat.Form:
                var pair = text.Split('&')[0];
                return Encoding.UTF8.GetBytes(text + "&" + pair.Split('=')[0] + "=" + Uri.EscapeDataString("another " + marker));
            default:
                return Encoding.UTF8.GetBytes(text.Replace("--xYzZY--", Multipart.Field("envelope", """{"to":["someone.else@example.com"]}""") + "--xYzZY--",
                    StringComparison.Ordinal));
        }
    }

    /// <summary>One byte over the cap, and well-formed as far as it goes, so that a reader that stops at the first bad token does not stop early.</summary>
    private static byte[] Oversized(Endpoint e)
    {
        var prefix = e.Format != BodyFormat.Json ? "a=" : e.Valid("") is [(byte)'[', ..] ? "[\"" : "{\"a\":\"";
        var body = new byte[e.Cap + 1];
        Array.Fill(body, (byte)'a');
        Encoding.UTF8.GetBytes(prefix).CopyTo(body, 0);
        return body;
    }

    private static string OddCase(string name) =>
        string.Concat(name.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)));

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }
        throw new InvalidOperationException("the marker is not in the body");
    }
}

/// <summary>Every endpoint of the stack that takes a body.</summary>
internal static class Endpoints
{
    private const long WebhookCap = 1024 * 1024;
    private const long EmailCap = 16 * 1024 * 1024;
    private const long ApiCap = 1024 * 1024;
    private static readonly IReadOnlyDictionary<string, string> Secrets = LocalStack.Secrets;
    public static readonly Lazy<string> AgentToken = new(IssueAgentToken);

    public static IReadOnlyList<Endpoint> All =>
    [
        new("twilio sms", () => LocalStack.Sms, "/webhooks/sms/twilio", BodyFormat.Form, "application/x-www-form-urlencoded",
            m => Encoding.UTF8.GetBytes(Form(("MessageSid", "SM" + m), ("AccountSid", "ACdev00000000000000000000000000000"), ("From", "+393331234567"),
                ("To", "+15005550006"), ("Body", "Hello " + m), ("NumMedia", "0"))),
            body => (body, [("X-Twilio-Signature", Twilio(LocalStack.Sms + "/webhooks/sms/twilio", body))]), ["X-Twilio-Signature"], WebhookCap, true, false),
        new("whatsapp", () => LocalStack.WhatsApp, "/webhooks/whatsapp", BodyFormat.Json, "application/json",
            m => Body(SampleWebhooks.WhatsAppText(LocalStack.WhatsApp, "x", "wamid." + m, "393331234567", "Hostile", "Hello " + m)),
            body => (body, [("X-Hub-Signature-256", "sha256=" + Hex(Secrets["WhatsApp__AppSecret"], body))]), ["X-Hub-Signature-256"], WebhookCap, true, true),
        new("messenger", () => LocalStack.Facebook, "/webhooks/facebook", BodyFormat.Json, "application/json",
            m => Body(SampleWebhooks.MessengerText(LocalStack.Facebook, "x", "m_" + m, "6254781134596127", "Hello " + m)),
            body => (body, [("X-Hub-Signature-256", "sha256=" + Hex(Secrets["Facebook__AppSecret"], body))]), ["X-Hub-Signature-256"], WebhookCap, true, true),
        new("x direct messages", () => LocalStack.Twitter, "/webhooks/twitter", BodyFormat.Json, "application/json",
            m => Body(SampleWebhooks.TwitterDm(LocalStack.Twitter, "x", "1" + Math.Abs(m.GetHashCode()), "9182736450", "Hostile", "hostile", "Hello " + m)),
            body => (body, [("x-twitter-webhooks-signature", "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Key("Twitter__ConsumerSecret"), body)))]),
            ["x-twitter-webhooks-signature"], WebhookCap, true, true),
        new("mailgun", () => LocalStack.Email, "/webhooks/email/mailgun", BodyFormat.Form, "application/x-www-form-urlencoded",
            m => Encoding.UTF8.GetBytes(Form(("recipient", "support@example.com"), ("sender", m + "@example.net"), ("from", m + "@example.net"),
                ("subject", "Hello"), ("body-plain", "Hello " + m), ("Message-Id", $"<{m}@example.net>"))),
            body => (body.Length == 0 ? body : [.. body, .. Encoding.UTF8.GetBytes(Mailgun.Fields(DateTimeOffset.UtcNow))], []), ["signature"], EmailCap, true, false),
        new("postmark", () => LocalStack.Email, "/webhooks/email/postmark", BodyFormat.Json, "application/json",
            m => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                From = m + "@example.org", FromFull = new { Email = m + "@example.org", Name = "Hostile" }, OriginalRecipient = "support@example.com",
                Subject = "Hello", MessageID = m, TextBody = "Hello " + m, Headers = new[] { new { Name = "Message-ID", Value = $"<{m}@example.org>" } },
            })),
            body => (body, [("Authorization", Basic("Email__Postmark"))]), ["Authorization"], EmailCap, true, true),
        new("sendgrid", () => LocalStack.Email, "/webhooks/email/sendgrid", BodyFormat.Multipart, "multipart/form-data; boundary=xYzZY",
            m => Encoding.UTF8.GetBytes(Multipart.Field("envelope", """{"to":["support@example.com"],"from":"x@example.net"}""")
                + Multipart.Field("headers", $"From: {m}@example.net\r\nMessage-Id: <{m}@example.net>\r\nSubject: Hello\r\n") + Multipart.Field("text", "Hello " + m)
                + "--xYzZY--\r\n"),
            body => (body, [("Authorization", Basic("Email__SendGrid"))]), ["Authorization"], EmailCap, true, true),
        new("slack events", () => LocalStack.Gateway, "/slack/events", BodyFormat.Json, "application/json",
            m => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "url_verification", challenge = m })),
            body => (body, Slack.Headers(body, DateTimeOffset.UtcNow)), ["X-Slack-Signature"], WebhookCap, false, true),
        new("slack interactivity", () => LocalStack.Gateway, "/slack/interactivity", BodyFormat.Form, "application/x-www-form-urlencoded",
            m => Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(JsonSerializer.Serialize(new { type = "block_actions", actions = Array.Empty<object>(), marker = m }))),
            body => (body, Slack.Headers(body, DateTimeOffset.UtcNow)), ["X-Slack-Signature"], WebhookCap, false, true),
        new("agent API: presence", () => LocalStack.Gateway, "/me/presence", BodyFormat.Json, "application/json",
            _ => Encoding.UTF8.GetBytes("""{"status":"offline"}"""),
            body => (body, [("Authorization", "Bearer " + AgentToken.Value)]), ["Authorization"], ApiCap, false, true, HttpMethod.Put),
        new("agent API: reply", () => LocalStack.Gateway, $"/conversations/{Guid.NewGuid()}/replies", BodyFormat.Json, "application/json",
            m => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = "Hello " + m })),
            body => (body, [("Authorization", "Bearer " + AgentToken.Value), ("Idempotency-Key", Guid.NewGuid().ToString())]), ["Authorization"], ApiCap, false, true,
            ValidAnswer: 404), // a conversation that is not the agent's
        new("gateway admin API: webhook target", () => LocalStack.Gateway, "/admin/agents/hostile-agent/webhook-targets", BodyFormat.Json, "application/json",
            _ => Encoding.UTF8.GetBytes("""{"url":"https://tools.example.com/hook"}"""),
            body => (body, [("Authorization", "Bearer " + Secrets["Gateway__AdminToken"])]), ["Authorization"], ApiCap, false, true),
        new("routing API: agents", () => LocalStack.Routing, "/agents", BodyFormat.Json, "application/json",
            m => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id = "hostile-" + m, name = "Hostile", capacity = 1, channels = new[] { "sms" }, presence = "offline" })),
            body => (body, [("Authorization", "Bearer " + Secrets["Routing__Api__Tokens__operator__Token"])]), ["Authorization"], ApiCap, false, true),
        new("routing API: preferred agents", () => LocalStack.Routing, $"/customers/{Guid.NewGuid()}/preferred-agents", BodyFormat.Json, "application/json",
            _ => Encoding.UTF8.GetBytes("""["anna"]"""),
            body => (body, [("Authorization", "Bearer " + Secrets["Routing__Api__Tokens__operator__Token"])]), ["Authorization"], ApiCap, false, true, HttpMethod.Put,
            ValidAnswer: 404), // a customer that does not exist
    ];

    public static Endpoint Named(string name) => All.Single(e => e.Name == name);

    private static byte[] Body(HttpRequestMessage request) => request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();

    private static string Form(params (string Name, string Value)[] fields) =>
        string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value)));

    private static byte[] Key(string secret) => Encoding.UTF8.GetBytes(Secrets[secret]);

    private static string Hex(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static string Basic(string prefix) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Secrets[prefix + "__Username"] + ":" + Secrets[prefix + "__Password"]));

    /// <summary>Twilio's signature over the URL and the parameters as read leniently (a body the adapter reads otherwise is refused as forged).</summary>
    private static string Twilio(string url, byte[] body)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value.Select(v => p.Key + v));
        return Convert.ToBase64String(HMACSHA1.HashData(Key("Twilio__AuthToken"), Encoding.UTF8.GetBytes(url + string.Concat(form))));
    }

    /// <summary>An agent of the stack (offline, so nothing is routed to it) and an agent API token for it.</summary>
    private static string IssueAgentToken()
    {
        using var routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
        var created = routing.PostAsJsonAsync(LocalStack.Routing + "/agents",
            new { id = "hostile-agent", name = "Hostile", capacity = 1, channels = new[] { "sms" }, presence = "offline" }).GetAwaiter().GetResult();
        if (created.StatusCode != HttpStatusCode.Conflict)
        {
            created.EnsureSuccessStatusCode();
        }
        using var admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Secrets["Gateway__AdminToken"]);
        using var response = admin.PostAsync("/admin/agents/hostile-agent/tokens", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        return response.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult().GetProperty("token").GetString()!;
    }
}

internal static class Mailgun
{
    /// <summary>timestamp, token and signature fields, as Mailgun appends them, at the given time.</summary>
    public static string Fields(DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(LocalStack.Secrets["Email__Mailgun__SigningKey"]),
            Encoding.UTF8.GetBytes(timestamp + token)));
        return $"&timestamp={timestamp}&token={token}&signature={signature}";
    }
}

internal static class Slack
{
    public static (string Name, string Value)[] Headers(byte[] body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(LocalStack.Secrets["Gateway__Slack__SigningSecret"]), signed));
        return [("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", signature)];
    }
}

internal static class Multipart
{
    public static string Field(string name, string value) => $"--xYzZY\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";
}
