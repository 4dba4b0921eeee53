using Routing.Adapters.Sms;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddSmsAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapSmsWebhooks();

app.Run();

public partial class Program;
