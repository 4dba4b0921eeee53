using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// The challenge-response check X makes when the webhook is registered and then about hourly:
/// GET ?crc_token=... answered within 3 seconds with {"response_token": "sha256=" + base64 HMAC-SHA256(crc_token)}.
/// A webhook that fails it is marked invalid and stops receiving events. No broker or other I/O is involved.
/// X signs its deliveries with the same key and algorithm, so answering any token would sign any delivery for whoever
/// asks: only a token of X's kind, a short string of letters, digits and base64's punctuation, is answered. A delivery
/// is JSON, which always holds characters outside that alphabet.
/// </summary>
internal static partial class CrcEndpoint
{
    [GeneratedRegex("^[A-Za-z0-9+/=_-]{1,256}$")]
    private static partial Regex XToken();

    public static RouteHandlerBuilder MapTwitterCrc(this IEndpointRouteBuilder app, string pattern) =>
        app.MapGet(pattern, (HttpContext http, IOptions<TwitterOptions> options) =>
        {
            var token = http.Request.Query["crc_token"].ToString();
            if (string.IsNullOrEmpty(token))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "crc_token missing",
                    detail: "X's challenge-response check sends GET ?crc_token=...; nothing else is served here.",
                    extensions: new Dictionary<string, object?> { ["field"] = "crc_token" });
            }
            if (!XToken().IsMatch(token))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a crc_token",
                    detail: "A crc_token is a string of at most 256 letters, digits and + / = _ -, as X sends it.",
                    extensions: new Dictionary<string, object?> { ["field"] = "crc_token" });
            }
            return Results.Json(new { response_token = TwitterSignature.Compute(options.Value.ConsumerSecret, Encoding.UTF8.GetBytes(token)) });
        });
}
