using Routing;
using Routing.Database;
using Routing.Observability;
using Routing.ServiceDefaults;
using Routing.Simulation;

if (args is ["simulate", .. var simulateArgs])
{
    // make simulate: the routing simulator on a scenario file; no broker, database or web host is started.
    Environment.ExitCode = SimulateCommand.Run(simulateArgs, Console.Out, Console.Error);
    return;
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(RoutingMetrics.MeterName);
builder.AddRoutingServices();

var app = builder.Build();

if (args.Contains("migrate"))
{
    // The migration Job's entry point: apply, then exit.
    var applied = await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
    Console.WriteLine($"Applied {applied.Count} migration(s).");
    return;
}

app.MapDefaultEndpoints();
app.MapRoutingApi();

app.Run();

public partial class Program;
