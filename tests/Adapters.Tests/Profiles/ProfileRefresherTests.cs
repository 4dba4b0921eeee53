using System.Net;
using System.Security.Cryptography;
using System.Text;
using Adapters.Tests.Instagram;
using Adapters.Tests.Meta;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Adapters.Instagram.Direct;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Profiles;

/// <summary>
/// The kit's profile lookups in an adapter over HTTP on the real broker (Instagram's): the webhook is answered and its
/// messages published whatever the lookup does; the sender's profile is published after, once per address; a provider's
/// refusal publishes nothing.
/// </summary>
public sealed class ProfileRefresherTests : AdapterEndpointTest
{
    private const string Other = "7020000000000001";
    private ProviderApiImitation _graph = null!;

    public override async Task InitializeAsync()
    {
        _graph = await ProviderApiImitation.StartAsync(["/{version}/{id}"],
            ProfileSourceTests.Person(new { name = "Nina Ferri", username = "nina.ferri", profile_pic = "https://scontent.example/nina.jpg" }), "GET");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _graph.DisposeAsync();
    }

    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new InstagramAdapterApp(brokerUrl, _graph.BaseUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_publish_the_senders_profile_after_the_webhook_and_look_each_address_up_once()
    {
        await using var profiles = await Broker.ObserveAsync<CustomerProfileObserved>();
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var first = await Client.SendAsync(AdapterHttp.Request(InstagramCases.Named("text"), "/webhooks/instagram"));
        var nina = await profiles.WaitForAsync(p => p.Address.Value == InstagramCases.Igsid);
        using var again = await Client.SendAsync(AdapterHttp.Request(InstagramCases.Named("image"), "/webhooks/instagram"));
        using var other = await Client.SendAsync(FromAnother("mid-other-1"));
        await profiles.WaitForAsync(p => p.Address.Value == Other);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, again.StatusCode, other.StatusCode });
        Assert.Equal(("instagram", InstagramCases.Account, "instagram", "Nina Ferri", "nina.ferri", "https://scontent.example/nina.jpg"),
            (nina.Channel, nina.ChannelAccount, nina.Address.Kind, nina.Address.DisplayName, nina.Handle, nina.PictureUrl));
        Assert.Equal(3, (await inbound.WaitForCountAsync(3)).Count);
        // Nina's second message asked nothing: one lookup per address
        Assert.Equal([$"/v23.0/{InstagramCases.Igsid}", $"/v23.0/{Other}"], _graph.Requests.Select(r => r.Path).ToArray());
        Assert.All(_graph.Requests, r => Assert.Equal("Bearer dev-instagram-page-token", r.Authorization));
    }

    [Fact]
    public async Task Should_publish_nothing_when_meta_refuses_and_keep_taking_webhooks()
    {
        await using var profiles = await Broker.ObserveAsync<CustomerProfileObserved>();
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        _graph.Then(GraphApiImitation.Error(400, 190, "Error validating access token: Session has expired"),
            ProfileSourceTests.Person(new { name = "Someone Else" }));

        using var refused = await Client.SendAsync(AdapterHttp.Request(InstagramCases.Named("text"), "/webhooks/instagram"));
        await inbound.WaitForAsync(m => m.Sender.Value == InstagramCases.Igsid);
        using var next = await Client.SendAsync(FromAnother("mid-other-2"));
        // one lookup after the other: the refused one was done when the next is published
        await profiles.WaitForAsync(p => p.Address.Value == Other);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (refused.StatusCode, next.StatusCode));
        Assert.DoesNotContain(profiles.Messages, p => p.Address.Value == InstagramCases.Igsid);
        Assert.Equal(2, _graph.Requests.Count);
    }

    /// <summary>A text from another person, signed as Meta signs.</summary>
    private static HttpRequestMessage FromAnother(string mid)
    {
        var body = $$$"""{"object":"instagram","entry":[{"id":"{{{InstagramCases.Account}}}","time":1732609532578,"messaging":[{"sender":{"id":"{{{Other}}}"},"recipient":{"id":"{{{InstagramCases.Account}}}"},"timestamp":1732609531984,"message":{"mid":"{{{mid}}}","text":"Hello"}}]}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/instagram") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(InstagramCases.AppSecret), Encoding.UTF8.GetBytes(body))));
        return request;
    }

    private sealed class InstagramAdapterApp(string brokerUrl, string graphUrl) : WebApplicationFactory<InstagramWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Instagram:AppSecret", InstagramCases.AppSecret);
            builder.UseSetting("Instagram:VerifyToken", "dev-instagram-verify-token");
            builder.UseSetting($"Instagram:AccessTokens:{InstagramCases.Account}", "dev-instagram-page-token");
            builder.UseSetting("Instagram:GraphApiBaseUrl", graphUrl);
            builder.UseSetting("Profiles:RequestsPerSecond", "100");
        }
    }
}
