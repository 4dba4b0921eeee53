using Routing.Adapters.Twitter;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddTwitterAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapTwitterWebhooks();

app.Run();

public partial class Program;
