using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Testing;

namespace Adapters.Tests.Sms;

/// <summary>The SMS adapter in this process, on a real broker, with the conformance cases' public URL and token.</summary>
internal sealed class SmsAdapterApp(string brokerUrl, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<TwilioSmsWebhook>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("RabbitMq:Url", brokerUrl);
        builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
        builder.UseSetting("Twilio:AuthToken", TwilioCases.AuthToken);
        builder.UseSetting("Webhooks:Spool:Directory", AdapterProcess.NewSpoolFolder());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
