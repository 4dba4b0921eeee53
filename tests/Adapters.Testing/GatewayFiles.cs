using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Contracts;

namespace Routing.Adapters.Testing;

/// <summary>
/// The gateway's signed links as an adapter meets them: GET /attachments/{name}/open serves a file put here, 403 for one
/// that is not (an expired or forged link), and counts what it served.
/// </summary>
public sealed class GatewayFiles : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Type, byte[] Content)> _files = new();
    private WebApplication _app = null!;
    private int _served;

    public string BaseUrl { get; private set; } = "";

    public int Served => Volatile.Read(ref _served);

    public static async Task<GatewayFiles> StartAsync()
    {
        var files = new GatewayFiles();
        (files._app, files.BaseUrl) = await LoopbackServer.StartAsync(app => app.MapGet("/attachments/{name}/open", (string name) =>
        {
            if (!files._files.TryGetValue(name, out var file))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Link expired");
            }
            Interlocked.Increment(ref files._served);
            return Results.Bytes(file.Content, file.Type);
        }));
        return files;
    }

    /// <summary>Serves <paramref name="content"/> and returns the attachment that names it, as the gateway would put it in a command.</summary>
    public MessageAttachment Put(string name, string contentType, byte[] content)
    {
        _files[name] = (contentType, content);
        return Link(name, contentType, content.LongLength);
    }

    /// <summary>An attachment whose link the gateway no longer serves.</summary>
    public MessageAttachment Link(string name, string contentType, long size) =>
        new() { ContentType = contentType, FileName = name, SizeBytes = size, Url = $"{BaseUrl}/attachments/{name}/open?expires=1&signature=ab" };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
