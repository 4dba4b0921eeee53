namespace Routing.AgentGateway.Agents;

/// <summary>
/// The agent API's credential: "Authorization: Bearer agt_…", issued per agent by the admin API. None, an unknown, an
/// expired and a revoked token are all 401 (problem+json); the agent it belongs to is the only one the request acts as.
/// </summary>
internal sealed class AgentAuthorization(AgentTokens tokens, TimeProvider time) : IEndpointFilter
{
    private const string AgentKey = "gateway.agent";
    private const string TokenKey = "gateway.agent-token";

    public static string AgentOf(HttpContext http) => (string)http.Items[AgentKey]!;

    /// <summary>The SHA-256 of the request's token, for a long request (the event stream) to check it is still live.</summary>
    public static byte[] TokenHashOf(HttpContext http) => (byte[])http.Items[TokenKey]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var hash = AgentTokens.IsWellFormed(token) ? AgentTokens.Hash(token) : null;
        var agent = hash is null ? null : await tokens.AgentOfAsync(hash, time.GetUtcNow(), http.RequestAborted);
        if (agent is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Agent token required",
                detail: "The agent API takes Authorization: Bearer <a live token the admin API issued for the agent>.");
        }
        http.Items[AgentKey] = agent;
        http.Items[TokenKey] = hash;
        return await next(context);
    }
}
