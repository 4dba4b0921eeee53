using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Routing.Adapters.Testing;

/// <summary>A webhook receiver (an agent's tool) on 127.0.0.1 answering from a script (the last answer repeats), recording what it got.</summary>
public sealed class Receiver : IAsyncDisposable
{
    public const int Hang = -1;
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<int> _script = new();
    private int _last = 200;

    public ConcurrentQueue<(string Id, string Timestamp, string Signature, byte[] Body)> Requests { get; } = new();

    /// <summary>The traceparent header of each request ("" when there was none), in arrival order.</summary>
    public ConcurrentQueue<string> TraceParents { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<Receiver> StartAsync()
    {
        var receiver = new Receiver();
        (receiver._app, receiver.Url) = await LoopbackServer.StartAsync(app => app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver.Requests.Enqueue((http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(),
                http.Request.Headers["webhook-signature"].ToString(), body.ToArray()));
            receiver.TraceParents.Enqueue(http.Request.Headers["traceparent"].ToString());
            var status = receiver._script.TryDequeue(out var next) ? receiver._last = next : receiver._last;
            if (status == Hang)
            {
                receiver._last = 200;
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            http.Response.StatusCode = status;
        }));
        return receiver;
    }

    public void Then(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>A receiver's own check of a Standard Webhooks signature, written from the specification (not the gateway's code).</summary>
public static class WebhookSignature
{
    public static bool Verify(string secret, string id, string timestamp, string header, byte[] body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        var signed = System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key, signed));
        return header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(expected, StringComparer.Ordinal);
    }
}
