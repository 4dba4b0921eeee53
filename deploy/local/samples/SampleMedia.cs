using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.OAuth;

namespace Routing.Samples;

/// <summary>
/// Customers' media as the providers serve them, for the local sandbox and the tests: Twilio's media URL, which takes the
/// account's basic auth and redirects to storage that refuses any credentials; WhatsApp's media id, resolved through the
/// Graph API to a link for the file, both with the bearer token; Messenger's CDN link, open. Ids beginning with "gone"
/// are 404, as media the provider deleted, and Messenger's "large-{bytes}" is a file of that size; X's DM media, served only to the account's OAuth 1.0a signature;
/// Telegram's file ids through getFile and the file host, with the bot's token in their paths. Every file is
/// <see cref="Png"/>.
/// </summary>
public static class SampleMedia
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    public static string TwilioMediaUrl(string baseUrl, string accountSid, string messageSid, string mediaSid) =>
        $"{baseUrl.TrimEnd('/')}/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}/Media/{mediaSid}";

    public static string MessengerCdnUrl(string baseUrl, string name) => $"{baseUrl.TrimEnd('/')}/messenger-cdn/{name}";

    /// <summary>A DM photo's link as X gives it (ton.twitter.com's path): served only to the account's OAuth 1.0a signature.</summary>
    public static string XMediaUrl(string baseUrl, string dmId, string mediaId) => $"{baseUrl.TrimEnd('/')}/1.1/ton/data/dm/{dmId}/{mediaId}/photo.jpg";

    /// <param name="requests">each request's path and whether it carried credentials, for a test to look at</param>
    /// <param name="x">the X account's credentials its DM media checks signatures against (none: every request is refused)</param>
    /// <param name="telegramBotToken">the bot's token Telegram's getFile and file links check (none: every request is refused)</param>
    /// <param name="graphNode">
    /// another Graph API node GET /{version}/{id} may name than a WhatsApp media id (the sandbox's people, for Messenger's
    /// user profile): its answer, or null for a media id
    /// </param>
    public static void Map(IEndpointRouteBuilder app, string twilioAccountSid, string twilioAuthToken, string whatsAppAccessToken,
        ConcurrentQueue<(string Path, string? Authorization)>? requests = null, OAuth1.Credentials? x = null, string? telegramBotToken = null,
        Func<HttpContext, string, IResult?>? graphNode = null)
    {
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilioAccountSid}:{twilioAuthToken}"));
        var bearer = "Bearer " + whatsAppAccessToken;

        app.MapGet("/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}/Media/{mediaSid}", (HttpContext http, string mediaSid) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            return !Same(Authorization(http), basic) ? Results.StatusCode(StatusCodes.Status401Unauthorized)
                : mediaSid.StartsWith("gone", StringComparison.Ordinal) ? Results.NotFound()
                : Results.Redirect(Storage(http, mediaSid), permanent: false, preserveMethod: true);
        });
        // storage signs its own links: credentials sent along are an error there
        app.MapGet("/media-storage/{name}", (HttpContext http) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            return Authorization(http) is null ? Results.Bytes(Png, "image/png") : Results.BadRequest("Only one auth mechanism allowed");
        });
        app.MapGet("/{version}/{mediaId}", (HttpContext http, string version, string mediaId) =>
        {
            if (version.Length < 2 || version[0] != 'v' || !version[1..].All(c => char.IsAsciiDigit(c) || c == '.'))
            {
                return Results.NotFound();
            }
            if (graphNode?.Invoke(http, mediaId) is { } node)
            {
                return node;
            }
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            if (!Same(Authorization(http), bearer))
            {
                return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
            }
            if (mediaId.StartsWith("gone", StringComparison.Ordinal))
            {
                return Results.Json(new { error = new { message = "Unsupported get request.", type = "GraphMethodException", code = 100 } }, statusCode: 400);
            }
            return Results.Json(new
            {
                messaging_product = "whatsapp",
                url = $"{http.Request.Scheme}://{http.Request.Host}/whatsapp-media-file/{mediaId}",
                mime_type = "image/png",
                sha256 = Convert.ToHexStringLower(SHA256.HashData(Png)),
                file_size = Png.Length,
                id = mediaId,
            });
        });
        app.MapGet("/whatsapp-media-file/{mediaId}", (HttpContext http) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            return Same(Authorization(http), bearer) ? Results.Bytes(Png, "image/png") : Results.StatusCode(StatusCodes.Status401Unauthorized);
        });
        app.MapGet("/1.1/ton/data/dm/{dmId}/{mediaId}/{name}", (HttpContext http, string mediaId) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            if (x is null || !SignedBy(http, x))
            {
                return Results.Json(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }, statusCode: 401);
            }
            return mediaId.StartsWith("gone", StringComparison.Ordinal) ? Results.NotFound() : Results.Bytes(Png, "image/jpeg");
        });
        // the email adapter's copy of a mail's attachment (the adapter checks its own signature; the gateway checks it before asking)
        app.MapGet("/media/email/{name}", (HttpContext http) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            return Results.Bytes(Png, http.Request.Query["type"].ToString() is { Length: > 0 } type ? type : "application/octet-stream");
        });
        // Telegram's Bot API: getFile resolves a file id to a path, which the file host serves, both with the bot's token in the path
        app.MapGet("/telegram/{bot}/getFile", (HttpContext http, string bot) =>
        {
            requests?.Enqueue(("/telegram/getFile", null));
            var fileId = http.Request.Query["file_id"].ToString();
            if (telegramBotToken is null || !Same(bot, "bot" + telegramBotToken))
            {
                return Results.Json(new { ok = false, error_code = 401, description = "Unauthorized" }, statusCode: 401);
            }
            return fileId.Length == 0 || fileId.StartsWith("gone", StringComparison.Ordinal)
                ? Results.Json(new { ok = false, error_code = 400, description = "Bad Request: invalid file_id" }, statusCode: 400)
                : Results.Json(new { ok = true, result = new { file_id = fileId, file_unique_id = "u" + fileId, file_size = Png.Length, file_path = $"photos/{fileId}.jpg" } });
        });
        app.MapGet("/telegram/file/{bot}/{**path}", (HttpContext http, string bot) =>
        {
            requests?.Enqueue(("/telegram/file", null));
            return telegramBotToken is not null && Same(bot, "bot" + telegramBotToken) ? Results.Bytes(Png, "application/octet-stream") : Results.NotFound();
        });
        app.MapGet("/messenger-cdn/{name}", (HttpContext http, string name) =>
        {
            requests?.Enqueue((http.Request.Path, Authorization(http)));
            // "large-{bytes}": a file of that size, for the gateway's size limit
            return name.StartsWith("gone", StringComparison.Ordinal) ? Results.NotFound()
                : name.StartsWith("large-", StringComparison.Ordinal) && int.TryParse(name["large-".Length..], out var size) ? Results.Bytes(Large(size), "image/png")
                : Results.Bytes(Png, "image/png");
        });
    }

    /// <summary>A PNG's signature followed by zeros, <paramref name="size"/> bytes in all.</summary>
    private static byte[] Large(int size)
    {
        var content = new byte[Math.Clamp(size, Png.Length, 64 * 1024 * 1024)];
        Png.CopyTo(content, 0);
        return content;
    }

    /// <summary>Twilio's storage is another host: here the same server under its other name (localhost or 127.0.0.1).</summary>
    private static string Storage(HttpContext http, string mediaSid)
    {
        var other = http.Request.Host.Host == "localhost" ? "127.0.0.1" : "localhost";
        return $"{http.Request.Scheme}://{other}:{http.Request.Host.Port}/media-storage/{mediaSid}";
    }

    /// <summary>Whether the request carries an OAuth 1.0a signature of its own method and URL by <paramref name="x"/>'s token.</summary>
    private static bool SignedBy(HttpContext http, OAuth1.Credentials x)
    {
        if (Authorization(http) is not { } header || !header.StartsWith("OAuth ", StringComparison.Ordinal))
        {
            return false;
        }
        var parameters = header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Trim('"')));
        if (!parameters.TryGetValue("oauth_signature", out var signature) || parameters.GetValueOrDefault("oauth_token") != x.Token
            || parameters.GetValueOrDefault("oauth_consumer_key") != x.ConsumerKey)
        {
            return false;
        }
        var url = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}{http.Request.QueryString}");
        var expected = OAuth1.Signature("GET", url, parameters.Where(p => p.Key != "oauth_signature"), x.ConsumerSecret, x.TokenSecret);
        return Same(signature, expected);
    }

    private static string? Authorization(HttpContext http) => http.Request.Headers.Authorization.ToString() is { Length: > 0 } value ? value : null;

    private static bool Same(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
