using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Admin;

/// <summary>
/// The admin API's credential: "Authorization: Bearer {Gateway:AdminToken}" (or one of Gateway:AdditionalAdminTokens, during
/// a rotation). None is 401, a wrong one 403 (problem+json).
/// </summary>
internal sealed class AdminAuthorization(IOptions<GatewayOptions> options) : IEndpointFilter
{
    private readonly byte[][] _expected = [.. new[] { options.Value.AdminToken }.Concat(options.Value.AdditionalAdminTokens)
        .Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t)))];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin token required",
                detail: "The admin API takes Authorization: Bearer <Gateway:AdminToken>.");
        }
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        if (!_expected.Aggregate(false, (match, expected) => CryptographicOperations.FixedTimeEquals(given, expected) | match))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin token refused");
        }
        return await next(context);
    }
}
