namespace Routing.AgentGateway.Agents;

/// <summary>The agent API (so far: who the token belongs to). Every endpoint acts as the token's agent only.</summary>
internal static class AgentApi
{
    public static WebApplication MapAgentApi(this WebApplication app)
    {
        var me = app.MapGroup("/me").AddEndpointFilter<AgentAuthorization>();
        me.MapGet("/", (HttpContext http) => Results.Ok(new { agentId = AgentAuthorization.AgentOf(http) }));
        return app;
    }
}
