using System.Net;
using Adapters.Tests.Meta;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Facebook;

/// <summary>
/// The Messenger adapter's public side over HTTP on a real broker: a comment under the Page's post is published as a public
/// message, and a private reply to it, sent from the adapter's queue, publishes with its outcome the link Meta's answer
/// gives between the commenter and their Messenger id.
/// </summary>
public sealed class MessengerPublicTests : AdapterEndpointTest
{
    private ProviderApiImitation _graph = null!;

    public override async Task InitializeAsync()
    {
        _graph = await GraphApiImitation.StartAsync(GraphApiImitation.MessengerSent("m_private"));
        await base.InitializeAsync();
        await Broker.WaitForConsumerAsync("facebook-send-channel-message");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _graph.DisposeAsync();
    }

    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new App(brokerUrl, _graph.BaseUrl);
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_publish_a_comment_and_link_its_author_to_messenger_when_the_private_reply_goes()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        await using var sent = await Broker.ObserveAsync<OutboundMessageSent>();
        await using var links = await Broker.ObserveAsync<CustomerAddressLinked>();

        using var response = await Client.SendAsync(AdapterHttp.Request(MessengerCases.Named("a comment under the Page's post: a public message of its author"), "/webhooks/facebook"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var comment = await inbound.WaitForAsync(m => m.ProviderMessageId == "838212218440829_1150336279598617");
        Assert.Equal(("public", "facebook-user"), (comment.Visibility, comment.Sender.Kind));

        var reply = new SendChannelMessage
        {
            CommandId = Guid.NewGuid(), ConversationId = Guid.NewGuid(), AgentId = "anna", Channel = "facebook", ChannelAccount = MessengerCases.Page,
            To = comment.Sender, ThreadKey = comment.ThreadKey, PrivateReplyTo = comment.ProviderMessageId, Text = "Hi Paolo, which order is it?",
            RequestedAt = DateTimeOffset.UtcNow,
        };
        await Broker.SendAsync("facebook-send-channel-message", reply);

        Assert.Equal("m_private", (await sent.WaitForAsync(s => s.CommandId == reply.CommandId)).ProviderMessageId);
        var link = await links.WaitForAsync(l => l.ConversationId == reply.ConversationId);
        Assert.Equal((("facebook-user", "3587261794680021"), ("facebook", MessengerCases.Psid)),
            ((link.Known.Kind, link.Known.Value), (link.Address.Kind, link.Address.Value)));
        Assert.Equal("838212218440829_1150336279598617", Assert.Single(_graph.Requests).Json.GetProperty("recipient").GetProperty("comment_id").GetString());
    }

    private sealed class App(string brokerUrl, string graphUrl) : WebApplicationFactory<MessengerWebhook>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Facebook:AppSecret", MessengerCases.AppSecret);
            builder.UseSetting("Facebook:VerifyToken", "dev-verify-token");
            builder.UseSetting($"Facebook:PageAccessTokens:{MessengerCases.Page}", "dev-page-token");
            builder.UseSetting("Facebook:GraphApiBaseUrl", graphUrl);
        }
    }
}
