using Routing.Adapters.Webhooks;
using Routing.Adapters.WhatsApp;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddWhatsAppAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapWhatsAppWebhooks();

app.Run();

public partial class Program;
