namespace Routing.AgentGateway.Agents;

/// <summary>
/// The agent API's credential: "Authorization: Bearer agt_…", issued per agent by the admin API. None, an unknown
/// and a revoked token are all 401 (problem+json); the agent it belongs to is the only one the request acts as.
/// </summary>
internal sealed class AgentAuthorization(AgentTokens tokens) : IEndpointFilter
{
    private const string AgentKey = "gateway.agent";

    public static string AgentOf(HttpContext http) => (string)http.Items[AgentKey]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var agent = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? await tokens.AgentOfAsync(header["Bearer ".Length..].Trim(), http.RequestAborted)
            : null;
        if (agent is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Agent token required",
                detail: "The agent API takes Authorization: Bearer <a live token the admin API issued for the agent>.");
        }
        http.Items[AgentKey] = agent;
        return await next(context);
    }
}
