using Routing.ServiceDefaults;

// The agent gateway (issue 5) is being built: for now it serves its health endpoints; delivery follows.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("Routing.AgentGateway");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

public partial class Program;
