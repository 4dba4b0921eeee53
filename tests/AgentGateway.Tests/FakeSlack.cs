using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentGateway.Tests;

/// <summary>A call the gateway made to Slack's Web API.</summary>
public sealed record SlackCall(string Method, string Authorization, JsonElement Body, DateTimeOffset At, int Status, string? Channel = null, string? Ts = null);

/// <summary>
/// Slack's Web API on 127.0.0.1 as Slack answers it: chat.postMessage to a user id posts into the app's direct
/// messages with them (channel D…) and returns the message's ts; a script can make the next calls answer 429 with
/// Retry-After or an error such as channel_not_found. Every call is recorded.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? Error, int RetryAfter)> _script = new();
    private long _ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1_000_000;

    private FakeSlack(WebApplication app) => _app = app;

    public ConcurrentQueue<SlackCall> Calls { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var slack = new FakeSlack(app);
        app.MapPost("/api/{method}", async (string method, HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var authorization = http.Request.Headers.Authorization.ToString();
            if (slack._script.TryDequeue(out var next))
            {
                slack.Calls.Enqueue(new SlackCall(method, authorization, body, DateTimeOffset.UtcNow, next.Status));
                if (next.Status == 429)
                {
                    http.Response.Headers.RetryAfter = next.RetryAfter.ToString(CultureInfo.InvariantCulture);
                    return Results.StatusCode(429);
                }
                return Results.Json(new { ok = false, error = next.Error });
            }
            var channel = body.TryGetProperty("channel", out var c) ? c.GetString()! : "";
            var counter = Interlocked.Increment(ref slack._ts);
            var answer = new { ok = true, channel = channel.StartsWith('U') ? "D" + channel[1..] : channel, ts = $"{counter / 1_000_000}.{counter % 1_000_000:D6}" };
            slack.Calls.Enqueue(new SlackCall(method, authorization, body, DateTimeOffset.UtcNow, 200, answer.channel, answer.ts));
            return Results.Json(answer);
        });
        await app.StartAsync();
        slack.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return slack;
    }

    public void RateLimitNext(int retryAfterSeconds) => _script.Enqueue((429, null, retryAfterSeconds));

    public void FailNext(string error) => _script.Enqueue((200, error, 0));

    /// <summary>The calls of a method whose body mentions <paramref name="text"/>.</summary>
    public IReadOnlyList<SlackCall> CallsOf(string method, string text) =>
        Calls.Where(c => c.Method == method && c.Body.ToString().Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>A request Slack sends to the app, signed as Slack signs it (written from Slack's documentation, not the gateway's code).</summary>
    public static HttpRequestMessage Signed(string path, string body, string contentType, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
