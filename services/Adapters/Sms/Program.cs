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

namespace Routing.Adapters.Sms
{
    /// <summary>
    /// Names this service's assembly for an in-process host (WebApplicationFactory) in a test project that loads another
    /// service too, whose Program would have the same name as this one's.
    /// </summary>
    public sealed class SmsAdapterEntryPoint
    {
        private SmsAdapterEntryPoint()
        {
        }
    }
}
