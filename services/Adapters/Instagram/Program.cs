using Routing.Adapters.Instagram;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddInstagramAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapInstagramWebhooks();

app.Run();

public partial class Program;
