using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Routing.Adapters.Meta;

/// <summary>
/// Meta's subscription handshake: GET with hub.mode=subscribe, hub.verify_token and hub.challenge;
/// answering the challenge as plain text proves we own the endpoint. A wrong token is 403.
/// </summary>
public static class MetaVerificationEndpoint
{
    public static RouteHandlerBuilder MapMetaVerification(this IEndpointRouteBuilder app, string pattern, Func<IServiceProvider, string> verifyToken) =>
        app.MapGet(pattern, (HttpContext http) =>
        {
            var query = http.Request.Query;
            var token = query["hub.verify_token"].ToString();
            var expected = verifyToken(http.RequestServices);
            if (query["hub.mode"] != "subscribe" || string.IsNullOrEmpty(expected)
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected)))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Verification refused",
                    detail: "hub.mode must be subscribe and hub.verify_token must match the configured verify token.");
            }
            return Results.Text(query["hub.challenge"].ToString(), "text/plain");
        });
}
