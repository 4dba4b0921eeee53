using Routing.AgentGateway.Admin;
using Routing.AgentGateway.Agents;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Api;

/// <summary>
/// The gateway's two HTTP APIs described by OpenAPI documents generated from their endpoints: the agents' API (/me,
/// /conversations) at /openapi/agent.json behind an agent token, the admin API (/admin) at /openapi/admin.json behind the
/// admin token; each document is served to the callers of its API only. Committed copies: contracts/openapi/.
/// Slack's endpoints are Slack's API, signed by Slack, and in neither.
/// </summary>
internal static class GatewayOpenApi
{
    public const string AgentDocument = "agent";
    public const string AdminDocument = "admin";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) => services
        // an agent's token is there and live (else 401) or not; another agent's conversation is 404, never 403
        .AddOpenApi(AgentDocument, o => o.Describe("Agent gateway: agents' API",
            "An agent's own conversations, presence and replies, and the live stream of its events. Every route takes the agent's token "
            + "(issued by the admin API) as `Authorization: Bearer agt_...`, and acts as that agent only. Errors are application/problem+json.",
            forbidden: false, path => path.StartsWith("me", StringComparison.Ordinal) || path.StartsWith("conversations", StringComparison.Ordinal)
                || path.StartsWith("transfers", StringComparison.Ordinal)
                // a signed link to a file is handed out (GET /attachments/{id}/link), not called as the agent: not in the document
                || (path.StartsWith("attachments", StringComparison.Ordinal) && !path.EndsWith("/open", StringComparison.Ordinal))))
        .AddOpenApi(AdminDocument, o => o.Describe("Agent gateway: admin API",
            "Agents' tools (webhook, Slack and email targets), agents' API tokens, and the webhook deliveries with their replay. Every route "
            + "takes the admin token (Gateway:AdminToken) as `Authorization: Bearer <token>`. Errors are application/problem+json.",
            forbidden: true, path => path.StartsWith("admin", StringComparison.Ordinal)));

    /// <summary>GET /openapi/agent.json (an agent token) and /openapi/admin.json (the admin token).</summary>
    public static WebApplication MapGatewayOpenApi(this WebApplication app)
    {
        app.MapGroup("/openapi").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy)
            .MapOpenApi($"/{{documentName:regex(^{AgentDocument}$)}}.json");
        app.MapGroup("/openapi").AddEndpointFilter<AdminAuthorization>().RequireRateLimiting(CallerRateLimits.Policy)
            .MapOpenApi($"/{{documentName:regex(^{AdminDocument}$)}}.json");
        return app;
    }
}
