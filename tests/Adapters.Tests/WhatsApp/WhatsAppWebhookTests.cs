using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Routing.Adapters.Testing;
using Routing.Adapters.WhatsApp.Cloud;
using Routing.Contracts;

namespace Adapters.Tests.WhatsApp;

public sealed class WhatsAppWebhookTests
{
    private static readonly WhatsAppWebhook Webhook = new(Options.Create(new WhatsAppOptions { AppSecret = WhatsAppCases.AppSecret, VerifyToken = "unused" }));

    public static TheoryData<string> Cases => new(WhatsAppCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, WhatsAppCases.PublicUrl, WhatsAppCases.Named(name));
}

/// <summary>The WhatsApp adapter over HTTP on a real broker: Meta's subscription handshake and a signed delivery.</summary>
public sealed class WhatsAppEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new WhatsAppAdapterApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_answer_the_subscription_handshake_only_with_the_verify_token()
    {
        var accepted = await Client.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=dev-verify-token");
        var refused = await Client.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess");

        Assert.Equal((HttpStatusCode.OK, "1158201444"), (accepted.StatusCode, await accepted.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Should_publish_a_signed_message_with_the_profile_name_and_refuse_a_tampered_one()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var tampered = await PostAsync(WhatsAppCases.Named("tampered body"));
        using var accepted = await PostAsync(WhatsAppCases.Named("text message (Meta's example)"));

        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var message = await inbound.WaitForAsync(m => m.Channel == "whatsapp");
        Assert.Equal(("+16505551234", "Sheena Nelson"), (message.Sender.Value, message.Sender.DisplayName));
        Assert.Single(inbound.Messages);
    }

    private Task<HttpResponseMessage> PostAsync(ConformanceCase @case) => Client.SendAsync(AdapterHttp.Request(@case, "/webhooks/whatsapp"));

    private sealed class WhatsAppAdapterApp(string brokerUrl) : WebApplicationFactory<WhatsAppWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("WhatsApp:AppSecret", WhatsAppCases.AppSecret);
            builder.UseSetting("WhatsApp:VerifyToken", "dev-verify-token");
        }
    }
}
