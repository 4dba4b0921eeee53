using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Adapters.Tests.Sms;

/// <summary>
/// A local HTTP server on 127.0.0.1 that answers like Twilio's Messages API, from a script of responses
/// (the last one repeats), and records every request it got.
/// </summary>
internal sealed class TwilioApiImitation : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private Func<HttpContext, Task> _last = Created("SM00000000000000000000000000000000");

    private TwilioApiImitation(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, string? Authorization, Dictionary<string, string[]> Form)> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public static async Task<TwilioApiImitation> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var imitation = new TwilioApiImitation(app);
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            imitation.Requests.Enqueue((context.Request.Path, context.Request.Headers.Authorization.ToString(),
                form.ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray())));
            var respond = imitation._script.TryDequeue(out var next) ? imitation._last = next : imitation._last;
            await respond(context);
        });
        await app.StartAsync();
        imitation.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return imitation;
    }

    public void Then(params Func<HttpContext, Task>[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public static Func<HttpContext, Task> Created(string sid) => context =>
    {
        context.Response.StatusCode = 201;
        return context.Response.WriteAsJsonAsync(new { sid, status = "queued" });
    };

    public static Func<HttpContext, Task> Error(int status, int code, string message, string? retryAfter = null) => context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        return context.Response.WriteAsJsonAsync(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status });
    };

    public static Func<HttpContext, Task> Hang() => context => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
