using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Outbound;

/// <summary>A file of a reply, fetched from its link to the gateway.</summary>
public sealed record DownloadedFile(MessageAttachment File, byte[] Content, string ContentType);

/// <summary>
/// Fetches the files of a reply for channels whose API takes the bytes rather than a link (X's media upload, an email's
/// MIME parts): from the signed link the gateway put in the command, within the size the channel takes. A link the gateway
/// refuses (expired, the file deleted) fails the send for good; a gateway that does not answer fails it for now (nothing
/// was sent yet, so the command can come again).
/// </summary>
public sealed class FileDownloads(IHttpClientFactory clients)
{
    public const string Client = "reply-files";

    public async Task<(IReadOnlyList<DownloadedFile> Files, SendOutcome? Failure)> DownloadAsync(IReadOnlyList<MessageAttachment> files, long maxBytes,
        CancellationToken ct)
    {
        var downloaded = new List<DownloadedFile>();
        foreach (var file in files)
        {
            if (file.Url is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                return ([], SendOutcome.Failed("file-unavailable", $"{Name(file)} has no link to fetch it from.", permanent: true));
            }
            try
            {
                using var response = await clients.CreateClient(Client).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone)
                {
                    return ([], SendOutcome.Failed("file-unavailable",
                        $"The gateway no longer serves {Name(file)} ({(int)response.StatusCode}): its link expired or the file was deleted.", permanent: true));
                }
                if (!response.IsSuccessStatusCode)
                {
                    return ([], SendOutcome.Failed("file-unavailable", $"The gateway answered {(int)response.StatusCode} for {Name(file)}.", permanent: false));
                }
                if (response.Content.Headers.ContentLength > maxBytes)
                {
                    return ([], TooLarge(file, maxBytes));
                }
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                if (await CappedBody.ReadAsync(stream, maxBytes, ct) is not { } content)
                {
                    return ([], TooLarge(file, maxBytes));
                }
                downloaded.Add(new DownloadedFile(file, content, ChannelFiles.MediaType(file.ContentType)));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return ([], SendOutcome.Failed("file-unavailable", $"The gateway did not serve {Name(file)} ({ex.GetType().Name}).", permanent: false));
            }
        }
        return (downloaded, null);
    }

    private static SendOutcome TooLarge(MessageAttachment file, long maxBytes) =>
        SendOutcome.Failed("file-too-large", $"{Name(file)} is larger than the {maxBytes} bytes this channel takes.", permanent: true);

    private static string Name(MessageAttachment file) => file.FileName ?? file.ContentType;

    /// <summary>The client the downloads use: a timeout per file, no redirects (the link is the gateway's own), no cookies.</summary>
    public static IServiceCollection AddFileDownloads(IServiceCollection services)
    {
        services.AddHttpClient(Client, c => c.Timeout = TimeSpan.FromMinutes(2))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<FileDownloads>();
        return services;
    }
}
