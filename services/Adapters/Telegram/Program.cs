using Routing.Adapters.Telegram;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddTelegramAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapTelegramWebhooks();

app.Run();

public partial class Program;
