using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Contracts;
using Routing.OAuth;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Attachments;

/// <summary>A file a provider served: its bytes, and the type the provider said it has.</summary>
internal sealed record MediaDownload(byte[] Content, string ContentType);

/// <summary>The provider will not serve it (gone, refused, too large): trying again would not help. The message is for agents.</summary>
internal sealed class MediaRefusedException(string reason) : Exception(reason);

/// <summary>
/// Fetches customers' media from each provider with its credentials: Twilio's media URLs with the account's basic auth
/// (their redirect to storage without it), WhatsApp's media ids through the Graph API, Messenger's attachment links from
/// Meta's CDN. A reference to a host that is not the provider's is refused, so a forged message cannot make the gateway
/// fetch anything else (an internal address, another site). Instagram's attachment links as Messenger's; Telegram's file ids
/// through the Bot API with the bot's token. X's DM media with the account's OAuth 1.0a signature; mail
/// attachments from the email adapter's copy, by a link it signed.
/// </summary>
internal sealed class MediaSources(IHttpClientFactory clients, IOptions<MediaOptions> options, TimeProvider time)
{
    public const string Client = "media";
    private const int MaxRedirects = 5;

    private HttpClient Http => clients.CreateClient(Client);

    private MediaOptions Media => options.Value;

    public Task<MediaDownload> DownloadAsync(string channel, string source, long maxBytes, CancellationToken ct) => channel switch
    {
        "sms" => TwilioAsync(source, maxBytes, ct),
        "whatsapp" => WhatsAppAsync(source, maxBytes, ct),
        "facebook" or "instagram" => MessengerAsync(source, maxBytes, ct),
        "telegram" => TelegramAsync(source, maxBytes, ct),
        "twitter" => TwitterAsync(source, maxBytes, ct),
        "email" => EmailAsync(source, maxBytes, ct),
        _ => throw new MediaRefusedException($"the gateway does not fetch {channel} attachments"),
    };

    private async Task<MediaDownload> TwilioAsync(string source, long maxBytes, CancellationToken ct)
    {
        var url = Absolute(source);
        var api = new Uri(Media.TwilioApiBaseUrl);
        if (!SameHost(url, api))
        {
            throw new MediaRefusedException("the link is not one of Twilio's media links");
        }
        if (Media.TwilioAccountSid is not { Length: > 0 } sid || Media.TwilioAuthToken is not { Length: > 0 } token)
        {
            throw new MediaRefusedException("Gateway:Media:TwilioAccountSid and TwilioAuthToken are not set");
        }
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{sid}:{token}")));
        // Twilio answers with a redirect to the file's storage: the account's credentials go to Twilio only
        return await GetAsync(url, u => SameHost(u, api) ? basic : null, maxBytes, ct);
    }

    private async Task<MediaDownload> WhatsAppAsync(string source, long maxBytes, CancellationToken ct)
    {
        const string prefix = "whatsapp-media:";
        if (!source.StartsWith(prefix, StringComparison.Ordinal) || source.Length == prefix.Length || !source[prefix.Length..].All(char.IsAsciiLetterOrDigit))
        {
            throw new MediaRefusedException("the reference is not a WhatsApp media id");
        }
        if (Media.WhatsAppAccessToken is not { Length: > 0 } token)
        {
            throw new MediaRefusedException("Gateway:Media:WhatsAppAccessToken is not set");
        }
        var bearer = new AuthenticationHeaderValue("Bearer", token);
        var graph = new Uri(Media.GraphApiBaseUrl);
        // GET /{version}/{media-id}: a link to the file for a few minutes, its type and size
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(graph, $"/{Media.GraphApiVersion}/{source[prefix.Length..]}"));
        request.Headers.Authorization = bearer;
        using var response = await Http.SendAsync(request, ct);
        Refuse(response, "WhatsApp");
        using var about = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        if (!about.RootElement.TryGetProperty("url", out var link) || link.GetString() is not { } location || !Uri.TryCreate(location, UriKind.Absolute, out var file))
        {
            throw new MediaRefusedException("WhatsApp gave no link to the file");
        }
        if (about.RootElement.TryGetProperty("file_size", out var size) && size.ValueKind == JsonValueKind.Number && size.GetInt64() > maxBytes)
        {
            throw new MediaRefusedException($"the file is larger than the {maxBytes / 1024 / 1024} MB kept");
        }
        if (!MetaHost(file))
        {
            throw new MediaRefusedException("WhatsApp's link is not on Meta's servers");
        }
        // the file itself takes the same token
        return await GetAsync(file, u => MetaHost(u) ? bearer : null, maxBytes, ct);
    }

    private async Task<MediaDownload> MessengerAsync(string source, long maxBytes, CancellationToken ct)
    {
        var url = Absolute(source);
        if (!MetaHost(url))
        {
            throw new MediaRefusedException("the link is not on Meta's servers");
        }
        return await GetAsync(url, _ => null, maxBytes, ct);
    }

    /// <summary>
    /// Telegram's file id, resolved with the bot's token (getFile: the file's path, for an hour) and then fetched from the
    /// Bot API's file host, up to the 20 MB it serves bots. The token is in both URLs' paths; the service masks it
    /// wherever a URL is logged or traced (UrlRedaction).
    /// </summary>
    private async Task<MediaDownload> TelegramAsync(string source, long maxBytes, CancellationToken ct)
    {
        const string prefix = "telegram-file:";
        if (!source.StartsWith(prefix, StringComparison.Ordinal) || source.Length == prefix.Length
            || !source[prefix.Length..].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new MediaRefusedException("the reference is not a Telegram file id");
        }
        if (Media.TelegramBotToken is not { Length: > 0 } token)
        {
            throw new MediaRefusedException("Gateway:Media:TelegramBotToken is not set");
        }
        var api = Media.TelegramApiBaseUrl.TrimEnd('/');
        using var response = await Http.GetAsync($"{api}/bot{token}/getFile?file_id={source[prefix.Length..]}", ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            // "Bad Request: file is too big" (over the 20 MB bots may download), or an id Telegram does not know
            throw new MediaRefusedException("Telegram does not serve this file to bots (too large, or unknown)");
        }
        Refuse(response, "Telegram");
        using var about = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        if (!about.RootElement.TryGetProperty("result", out var file) || file.ValueKind != JsonValueKind.Object
            || !file.TryGetProperty("file_path", out var path) || path.GetString() is not { Length: > 0 } filePath)
        {
            throw new MediaRefusedException("Telegram gave no path to the file");
        }
        if (file.TryGetProperty("file_size", out var size) && size.ValueKind == JsonValueKind.Number && size.GetInt64() > maxBytes)
        {
            throw new MediaRefusedException($"the file is larger than the {maxBytes / 1024 / 1024} MB kept");
        }
        var link = new Uri($"{api}/file/bot{token}/{string.Join('/', filePath.Split('/').Select(Uri.EscapeDataString))}");
        return await GetAsync(link, _ => null, maxBytes, ct);
    }

    /// <summary>
    /// X serves a DM's media (ton.twitter.com) only to a request signed with OAuth 1.0a as the account that received it:
    /// each hop on X's hosts is signed afresh (its own nonce, timestamp and URL), any other host gets nothing.
    /// </summary>
    private async Task<MediaDownload> TwitterAsync(string source, long maxBytes, CancellationToken ct)
    {
        var url = Absolute(source);
        if (!XHost(url))
        {
            throw new MediaRefusedException("the link is not on X's media servers");
        }
        if (Media is not { TwitterConsumerKey.Length: > 0, TwitterConsumerSecret.Length: > 0, TwitterAccessToken.Length: > 0, TwitterAccessTokenSecret.Length: > 0 })
        {
            throw new MediaRefusedException("Gateway:Media:TwitterConsumerKey, TwitterConsumerSecret, TwitterAccessToken and TwitterAccessTokenSecret are not set");
        }
        var credentials = new OAuth1.Credentials(Media.TwitterConsumerKey, Media.TwitterConsumerSecret, Media.TwitterAccessToken, Media.TwitterAccessTokenSecret);
        return await GetAsync(url, u => XHost(u) ? AuthenticationHeaderValue.Parse(OAuth1.Authorization("GET", u, credentials, time.GetUtcNow())) : null, maxBytes, ct);
    }

    /// <summary>The email adapter's copy of a mail's attachment, by the link it signed (the signature covers host, path and query).</summary>
    private async Task<MediaDownload> EmailAsync(string source, long maxBytes, CancellationToken ct)
    {
        var url = Absolute(source);
        if (Media.EmailFilesKey is not { Length: > 0 } key)
        {
            throw new MediaRefusedException("Gateway:Media:EmailFilesKey is not set");
        }
        if (!FileLinks.Valid(Convert.FromBase64String(key), url, time.GetUtcNow()))
        {
            throw new MediaRefusedException("the link is not one the email adapter signed, or it expired");
        }
        return await GetAsync(url, _ => null, maxBytes, ct);
    }

    private bool XHost(Uri url) =>
        SameHost(url, new Uri(Media.TwitterApiBaseUrl))
        || url.Scheme == Uri.UriSchemeHttps && Media.TwitterMediaHosts.Any(h => url.Host.Equals(h, StringComparison.OrdinalIgnoreCase));

    private bool MetaHost(Uri url) =>
        SameHost(url, new Uri(Media.GraphApiBaseUrl))
        || url.Scheme == Uri.UriSchemeHttps && Media.MessengerHosts.Any(h => url.Host.Equals(h, StringComparison.OrdinalIgnoreCase)
                                                                              || url.Host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase));

    /// <summary>GETs <paramref name="url"/>, following redirects itself (each hop's credentials decided by <paramref name="authorize"/>), reading at most <paramref name="maxBytes"/>.</summary>
    private async Task<MediaDownload> GetAsync(Uri url, Func<Uri, AuthenticationHeaderValue?> authorize, long maxBytes, CancellationToken ct)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorize(url);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next)
            {
                url = next.IsAbsoluteUri ? next : new Uri(url, next);
                if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
                {
                    throw new MediaRefusedException("the provider redirected somewhere that is not a web address");
                }
                continue;
            }
            Refuse(response, "the provider");
            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new MediaRefusedException($"the file is larger than the {maxBytes / 1024 / 1024} MB kept");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var content = await ReadCappedAsync(body, maxBytes, ct);
            return new MediaDownload(content, response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream");
        }
        throw new MediaRefusedException("the provider redirected too many times");
    }

    private static async Task<byte[]> ReadCappedAsync(Stream body, long maxBytes, CancellationToken ct) =>
        await CappedBody.ReadAsync(body, maxBytes, ct) ?? throw new MediaRefusedException($"the file is larger than the {maxBytes / 1024 / 1024} MB kept");

    /// <summary>A refusal the provider will repeat is final; anything else (5xx, 429, a timeout) is tried again later.</summary>
    private static void Refuse(HttpResponseMessage response, string who)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => new MediaRefusedException($"{who} no longer has the file"),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new MediaRefusedException($"{who} refused the gateway's credentials ({(int)response.StatusCode})"),
            HttpStatusCode.BadRequest => new MediaRefusedException($"{who} does not know this file"),
            _ => new HttpRequestException($"{who} answered {(int)response.StatusCode}", null, response.StatusCode),
        };
    }

    private static Uri Absolute(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new MediaRefusedException("the reference is not a web address");

    private static bool SameHost(Uri url, Uri expected) =>
        url.Scheme == expected.Scheme && url.Host.Equals(expected.Host, StringComparison.OrdinalIgnoreCase) && url.Port == expected.Port;
}
