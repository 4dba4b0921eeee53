using Routing.AgentGateway;
using Routing.AgentGateway.Admin;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Api;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.DataRights;
using Routing.AgentGateway.Slack;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(GatewayServiceExtensions.MeterName);
builder.AddAgentGateway();

var app = builder.Build();

if (args.Contains("migrate"))
{
    // The migration Job's entry point: apply, then exit.
    var applied = await app.Services.GetRequiredService<GatewayMigrations>().ApplyAsync(CancellationToken.None);
    Console.WriteLine($"Applied {applied.Count} migration(s).");
    return;
}

app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapAdminApi();
app.MapDataRightsApi();
app.MapAgentApi();
app.MapAttachments();
app.MapSlackEndpoints();
app.MapGatewayOpenApi();

app.Run();

public partial class Program;
