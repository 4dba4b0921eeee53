using Routing.Adapters.Facebook;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(WebhookMetrics.MeterName);
builder.AddFacebookAdapter();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapFacebookWebhooks();

app.Run();

public partial class Program;
