using Routing;
using Routing.Database;
using Routing.Observability;
using Routing.ServiceDefaults;

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
