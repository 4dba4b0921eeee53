using Routing.Adapters.Email;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddEmailAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapEmailWebhooks();

app.Run();

public partial class Program;
