using Routing.Samples;
using Routing.Adapters.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.AgentGateway;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The gateway on a real PostgreSQL database and a RabbitMQ virtual host of its own, with a webhook receiver on
/// 127.0.0.1: routing's events are published to the broker exactly as routing publishes them.
/// </summary>
public class GatewayHost : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";
    public const string SlackSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private GatewayTestApp _app = null!;

    internal GatewayDatabase Database { get; private set; } = null!;

    public TestBroker Broker { get; private set; } = null!;

    internal Receiver Receiver { get; private set; } = null!;

    public FakeSlack Slack { get; private set; } = null!;

    /// <summary>The providers' media (Twilio, the Graph API, Messenger's CDN) as they serve them, with the credentials below; every request kept.</summary>
    public (string Url, System.Collections.Concurrent.ConcurrentQueue<(string Path, string? Authorization)> Requests) Media { get; private set; }

    private Microsoft.AspNetCore.Builder.WebApplication _media = null!;

    public const string TwilioAccountSid = "ACtest0000000000000000000000000000";
    public const string TwilioAuthToken = "test-twilio-auth-token";
    public const string WhatsAppAccessToken = "test-whatsapp-access-token";

    /// <summary>The key the email adapter signs its links to mail attachments with.</summary>
    public static readonly byte[] EmailFilesKey = "test-email-files-key-32-bytes-ok"u8.ToArray();

    /// <summary>The X account whose DM media the gateway fetches, signed with OAuth 1.0a.</summary>
    public static readonly Routing.OAuth.OAuth1.Credentials XAccount =
        new("test-x-consumer-key", "test-x-consumer-secret", "4337869213-test-x-token", "test-x-token-secret");

    /// <summary>The mailbox agents' emailed replies go to (on the local Postfix and Dovecot); its own per fixture.</summary>
    public string ReplyMailbox { get; } = MailServers.NewMailbox("replies");

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>With <see cref="DatabaseThroughProxy"/>, what stands between the gateway and its database, to cut.</summary>
    public TcpProxy? DatabaseProxy { get; private set; }

    /// <summary>Whether the gateway reaches its database through <see cref="DatabaseProxy"/>.</summary>
    protected virtual bool DatabaseThroughProxy => false;

    /// <summary>With <see cref="BrokerThroughProxy"/>, what stands between the gateway and RabbitMQ (the test's own client goes direct).</summary>
    public TcpProxy? BrokerProxy { get; private set; }

    /// <summary>Whether the gateway reaches RabbitMQ through <see cref="BrokerProxy"/>.</summary>
    protected virtual bool BrokerThroughProxy => false;

    /// <summary>A fixture's own settings, on top of every gateway test's.</summary>
    protected virtual IReadOnlyDictionary<string, string> OwnSettings { get; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Database = await GatewayDatabase.CreateAsync();
        Broker = await TestBroker.CreateAsync();
        Receiver = await Receiver.StartAsync();
        Slack = await FakeSlack.StartAsync();
        var mediaRequests = new System.Collections.Concurrent.ConcurrentQueue<(string, string?)>();
        (_media, var mediaUrl) = await LoopbackServer.StartAsync(app => SampleMedia.Map(app, TwilioAccountSid, TwilioAuthToken, WhatsAppAccessToken, mediaRequests, XAccount));
        Media = (mediaUrl, mediaRequests);
        var connectionString = Database.ConnectionString;
        if (DatabaseThroughProxy)
        {
            (DatabaseProxy, connectionString) = TcpProxy.ForPostgres(connectionString);
        }
        var brokerUrl = Broker.Url;
        if (BrokerThroughProxy)
        {
            (BrokerProxy, brokerUrl) = TcpProxy.ForUrl(Broker.Url);
        }
        _app = new GatewayTestApp(connectionString, brokerUrl, new Dictionary<string, string>
        {
            ["Gateway:Slack:BotToken"] = "xoxb-test-token",
            ["Gateway:Slack:SigningSecret"] = SlackSigningSecret,
            ["Gateway:Slack:ApiUrl"] = Slack.Url + "/api/",
            ["Gateway:Email:From"] = "Conversations <conversations@example.com>",
            ["Gateway:Email:ReplyAddress"] = ReplyMailbox,
            ["Gateway:Email:Smtp:Host"] = MailServers.Smtp.Host,
            ["Gateway:Email:Smtp:Port"] = MailServers.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Email:Smtp:Security"] = "None",
            ["Gateway:Email:Imap:Host"] = MailServers.Imap.Host,
            ["Gateway:Email:Imap:Port"] = MailServers.Imap.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Email:Imap:Security"] = "None",
            ["Gateway:Email:Imap:Password"] = MailServers.Password,
            ["Gateway:Email:TrustedAuthenticationServers:0"] = "mail.example.test", // the local Postfix (deploy/local/infra.sh)
            ["Gateway:Email:PollInterval"] = "00:00:00.200",
            ["Gateway:PublishTimeout"] = "00:00:05",
            ["Gateway:ChannelAccounts:email"] = "support@example.com",
            ["Gateway:Media:TwilioApiBaseUrl"] = mediaUrl,
            ["Gateway:Media:TwilioAccountSid"] = TwilioAccountSid,
            ["Gateway:Media:TwilioAuthToken"] = TwilioAuthToken,
            ["Gateway:Media:GraphApiBaseUrl"] = mediaUrl,
            ["Gateway:Media:TwitterApiBaseUrl"] = mediaUrl,
            ["Gateway:Media:EmailFilesKey"] = Convert.ToBase64String(EmailFilesKey),
            ["Gateway:Media:TwitterConsumerKey"] = XAccount.ConsumerKey,
            ["Gateway:Media:TwitterConsumerSecret"] = XAccount.ConsumerSecret,
            ["Gateway:Media:TwitterAccessToken"] = XAccount.Token,
            ["Gateway:Media:TwitterAccessTokenSecret"] = XAccount.TokenSecret,
            ["Gateway:Media:WhatsAppAccessToken"] = WhatsAppAccessToken,
        }.Concat(OwnSettings).ToDictionary());
        Admin = _app.CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        // Events published before the gateway bound its queue to their exchanges reach nothing. The queue exists before its
        // bindings do (a test that waited only for the queue lost its first events now and then, under load); the gateway
        // consumes only after binding, so a consumer on the queue says the bindings are there.
        await Broker.WaitForConsumerAsync("agent-gateway");
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await _app.DisposeAsync();
        await Receiver.DisposeAsync();
        await Slack.DisposeAsync();
        await _media.DisposeAsync();
        await Broker.DisposeAsync();
        if (BrokerProxy is not null)
        {
            await BrokerProxy.DisposeAsync();
        }
        if (DatabaseProxy is not null)
        {
            await DatabaseProxy.DisposeAsync();
        }
        await Database.DisposeAsync();
    }

    /// <summary>A client acting as a new agent with a fresh token (and, when asked, a webhook target on the receiver or a Slack target).</summary>
    public async Task<AgentClient> AgentAsync(bool webhook = false, bool slack = false, bool email = false)
    {
        var agentId = "agent-" + Guid.NewGuid().ToString("N")[..8];
        var issued = await (await Admin.PostAsync($"/admin/agents/{agentId}/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        string? secret = null;
        if (webhook)
        {
            var target = await (await Admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = Receiver.Url + "/hooks" }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            secret = target.GetProperty("secret").GetString();
        }
        string? slackUser = null;
        if (slack)
        {
            slackUser = "U" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
            (await Admin.PostAsJsonAsync($"/admin/agents/{agentId}/slack-targets", new { slackUserId = slackUser })).EnsureSuccessStatusCode();
        }
        string? mailbox = null;
        if (email)
        {
            mailbox = MailServers.NewMailbox("agent");
            (await Admin.PostAsJsonAsync($"/admin/agents/{agentId}/email-targets", new { address = mailbox })).EnsureSuccessStatusCode();
        }
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("token").GetString());
        return new AgentClient(agentId, issued.GetProperty("id").GetGuid(), client, secret) { SlackUserId = slackUser, Mailbox = mailbox };
    }

    public HttpClient Anonymous() => _app.CreateClient();

    internal IServiceProvider Services => _app.Services;

    /// <summary>Routing's events for a new conversation of a new customer, assigned to the agent: what routing publishes together.</summary>
    /// <summary>
    /// A conversation assigned to the agent once the gateway has applied the assignment: before that, the agent's view does not
    /// have it (404), and a message routed to it is carried by the assignment rather than announced on its own.
    /// </summary>
    public async Task<Conversation> AssignedAsync(AgentClient agent, string channel = "sms", string text = "Hello, my order is late")
    {
        var conversation = await AssignAsync(agent.AgentId, channel: channel, text: text);
        await Eventually.TrueAsync($"conversation {conversation.Id} in the agent's view", async () =>
        {
            using var response = await agent.Http.GetAsync($"/conversations/{conversation.Id}");
            return response.StatusCode == HttpStatusCode.OK;
        });
        return conversation;
    }

    public async Task<Conversation> AssignAsync(string agentId, bool requiresAccept = false, string channel = "sms", string text = "Hello, my order is late",
        IReadOnlyList<CustomerNote>? notes = null, IReadOnlyList<string>? tags = null, PublicPost? post = null)
    {
        var conversation = new Conversation(Guid.NewGuid(), Guid.NewGuid(), channel, channel == "email" ? "support@example.com" : "+15005550006",
            channel == "email" ? new CustomerAddress { Kind = "email", Value = "maria@example.com", DisplayName = "Maria Rossi" }
                : new CustomerAddress { Kind = "phone", Value = "+393331234567", DisplayName = "Maria Rossi" });
        var routed = conversation.Message(text, agentId, "open");
        if (post is not null)
        {
            // the conversation opened with a public message: a comment, a mention
            routed = routed with { ProviderMessageId = post.ParentId ?? post.PostId, Visibility = MessageVisibility.Public, Post = post };
        }
        await Broker.PublishAsync(routed);
        await Broker.PublishAsync(new ConversationAssigned
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            AgentId = agentId,
            Channel = channel,
            ChannelAccount = conversation.Account,
            CustomerDisplayName = "Maria Rossi",
            CustomerAddresses = [conversation.Address, new CustomerAddress { Kind = "email", Value = "maria@example.com" }],
            RequiresAccept = requiresAccept,
            OfferExpiresAt = requiresAccept ? DateTimeOffset.UtcNow.AddMinutes(2) : null,
            Receipt = new RoutingReceiptSummary
            {
                DecisionId = Guid.NewGuid(),
                Trigger = "new-conversation",
                Outcome = "assigned",
                Reason = "fallback",
                Candidates =
                [
                    new CandidateSummary { AgentId = "anna", Source = "owner", Verdict = "away since 09:12" },
                    new CandidateSummary { AgentId = agentId, Source = "pool", Verdict = "chosen: 0/3 open" },
                ],
                CandidatesConsidered = 2,
            },
            RecentMessages =
            [
                new ConversationMessage
                {
                    MessageId = routed.MessageId, Channel = channel, Sender = conversation.Address, Text = text, ReceivedAt = routed.ReceivedAt,
                    Visibility = routed.Visibility, Post = post,
                },
            ],
            PreferredAgents = ["anna"],
            RelationshipHistory = [new AgentRelationship { AgentId = "anna", LastHandledAt = DateTimeOffset.UtcNow.AddDays(-3) }],
            CustomerNotes = notes ?? [],
            CustomerTags = tags ?? [],
            AssignedAt = routed.RoutedAt,
        });
        return conversation;
    }
}

/// <summary>The gateway in-process on a test's database and virtual host, with the settings every gateway test shares and a class's own on top.</summary>
internal sealed class GatewayTestApp(string connectionString, string brokerUrl, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<GatewayOptions>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("ConnectionStrings:Gateway", connectionString);
        builder.UseSetting("RabbitMq:Url", brokerUrl);
        builder.UseSetting("Gateway:AdminToken", GatewayHost.AdminToken);
        builder.UseSetting("Gateway:SecretKey", Convert.ToBase64String(new byte[32]));
        builder.UseSetting("Gateway:Delivery:FirstDelay", "00:00:00.100");
        builder.UseSetting("Gateway:Delivery:PollInterval", "00:00:00.050");
        builder.UseSetting("Gateway:Delivery:AllowPrivateNetworks", "true");
        builder.UseSetting("Gateway:Delivery:AllowHttp", "true");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>An agent's API client.</summary>
public sealed record AgentClient(string AgentId, Guid TokenId, HttpClient Http, string? WebhookSecret)
{
    public string? SlackUserId { get; init; }

    public string? Mailbox { get; init; }
}

/// <summary>A conversation the test made routing's events for.</summary>
public sealed record Conversation(Guid Id, Guid CustomerId, string Channel, string Account, CustomerAddress Address)
{
    public MessageRouted Message(string text, string? agentId, string status, string? channel = null) => new()
    {
        MessageId = Guid.NewGuid(),
        ConversationId = Id,
        CustomerId = CustomerId,
        AgentId = agentId,
        ConversationStatus = status,
        Channel = channel ?? Channel,
        ChannelAccount = Account,
        ProviderMessageId = "SM" + Guid.NewGuid().ToString("N"),
        Sender = Address,
        ThreadKey = Channel == "email" ? "<root@mail.example.com>" : null,
        Subject = Channel == "email" ? "Order 1234" : null,
        Text = text,
        ReceivedAt = DateTimeOffset.UtcNow,
        RoutedAt = DateTimeOffset.UtcNow,
    };
}
