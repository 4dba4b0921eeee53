using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;

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
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<(int Status, string? Error, int RetryAfter)> _script = new();
    private long _ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1_000_000;

    public ConcurrentQueue<SlackCall> Calls { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<FakeSlack> StartAsync()
    {
        var slack = new FakeSlack();
        (slack._app, slack.Url) = await LoopbackServer.StartAsync(app =>
        {
            // files as Slack serves them: to the bot token, else its sign-in page
            app.MapGet("/files-pri/{team}/download/{name}", (string name, HttpContext http) =>
                http.Request.Headers.Authorization.ToString() == "Bearer xoxb-test-token" && slack._files.TryGetValue(name, out var file)
                    ? Results.Bytes(file.Content, file.Type)
                    : Results.Content("<html>Sign in to Slack</html>", "text/html"));
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
        });
        return slack;
    }

    private readonly ConcurrentDictionary<string, (string Type, byte[] Content)> _files = new();

    /// <summary>Serves a file as Slack's files.slack.com would, and returns its url_private_download.</summary>
    public string ShareFile(string name, string type, byte[] content)
    {
        _files[name] = (type, content);
        return $"{Url}/files-pri/T0001-F0001/download/{name}";
    }

    public void RateLimitNext(int retryAfterSeconds) => _script.Enqueue((429, null, retryAfterSeconds));

    public void FailNext(string error) => _script.Enqueue((200, error, 0));

    /// <summary>The calls of a method whose body mentions <paramref name="text"/>.</summary>
    public IReadOnlyList<SlackCall> CallsOf(string method, string text) =>
        Calls.Where(c => c.Method == method && c.Body.ToString().Contains(text, StringComparison.Ordinal)).ToList();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
