using System.Text;
using Microsoft.Extensions.Options;

namespace Routing.Adapters.Twitter.DirectMessages;

/// <summary>
/// The challenge-response check X makes when the webhook is registered and then about hourly:
/// GET ?crc_token=... answered within 3 seconds with {"response_token": "sha256=" + base64 HMAC-SHA256(crc_token)}.
/// A webhook that fails it is marked invalid and stops receiving events. No broker or other I/O is involved.
/// </summary>
internal static class CrcEndpoint
{
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
            return Results.Json(new { response_token = TwitterSignature.Compute(options.Value.ConsumerSecret, Encoding.UTF8.GetBytes(token)) });
        });
}
