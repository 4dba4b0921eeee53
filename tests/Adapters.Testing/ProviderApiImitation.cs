using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Routing.Adapters.Testing;

/// <summary>
/// A local HTTP server on 127.0.0.1 that answers a provider's API route from a script of responses (the
/// last one repeats), and records every request it got, so a sender is tested against real HTTP with its
/// real resilience pipeline.
/// </summary>
public sealed class ProviderApiImitation : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private Func<HttpContext, Task> _last;

    private ProviderApiImitation(WebApplication app, Func<HttpContext, Task> fallback) => (_app, _last) = (app, fallback);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>Serves POST <paramref name="route"/> (an ASP.NET route pattern) with <paramref name="fallback"/> until scripted otherwise.</summary>
    public static Task<ProviderApiImitation> StartAsync(string route, Func<HttpContext, Task> fallback) => StartAsync([route], fallback);

    /// <summary>Serves POST (or <paramref name="method"/>) on each of <paramref name="routes"/> from the one script (an API whose calls come in a known order).</summary>
    public static async Task<ProviderApiImitation> StartAsync(string[] routes, Func<HttpContext, Task> fallback, string method = "POST")
    {
        ProviderApiImitation? imitation = null;
        var (app, url) = await LoopbackServer.StartAsync(app =>
        {
            foreach (var route in routes)
            {
                app.MapMethods(route, [method], async context =>
                {
                    using var reader = new StreamReader(context.Request.Body);
                    imitation!.Requests.Enqueue(new RecordedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(),
                        context.Request.ContentType ?? "", await reader.ReadToEndAsync(context.RequestAborted), context.Request.QueryString.Value ?? ""));
                    var respond = imitation._script.TryDequeue(out var next) ? imitation._last = next : imitation._last;
                    await respond(context);
                });
            }
        });
        imitation = new ProviderApiImitation(app, fallback) { BaseUrl = url };
        return imitation;
    }

    /// <summary>The next answers, in order; the last of them repeats.</summary>
    public void Then(params Func<HttpContext, Task>[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public static Func<HttpContext, Task> Json(int status, object body, string? retryAfter = null) => context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        return context.Response.WriteAsJsonAsync(body);
    };

    /// <summary>Reads the request, then drops the connection without an answer: a provider that may have acted on it.</summary>
    public static Func<HttpContext, Task> Reset() => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    public static Func<HttpContext, Task> Hang() => context => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request as the imitation received it.</summary>
public sealed record RecordedRequest(string Path, string Authorization, string ContentType, string Body, string Query = "")
{
    public Dictionary<string, string[]> Form =>
        QueryHelpers.ParseQuery(Body).ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray());

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}
