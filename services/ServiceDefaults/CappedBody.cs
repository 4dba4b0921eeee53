using Microsoft.AspNetCore.Http;

namespace Routing.ServiceDefaults;

/// <summary>
/// A signed request's raw body (providers' webhooks, Slack), read whole because its signature covers the exact bytes,
/// up to a limit counted as it is read: Content-Length is only a first check, since a chunked body has none. Files
/// (an upload, a provider's media, a file to send) are read the same way.
/// </summary>
public static class CappedBody
{
    /// <summary>The body, or null as soon as it passes <paramref name="limit"/> bytes (the rest is not read).</summary>
    public static Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken ct) =>
        request.ContentLength > limit ? Task.FromResult<byte[]?>(null) : ReadAsync(request.Body, limit, ct);

    /// <summary>The stream to its end, or null as soon as it passes <paramref name="limit"/> bytes (the rest is not read).</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
