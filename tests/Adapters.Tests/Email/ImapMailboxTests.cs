using Routing.Samples;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Adapters.Email.Smtp;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Adapters.Tests.Email;

/// <summary>
/// The email adapter reading a real mailbox: mail goes through Postfix into Dovecot, the adapter reads it
/// over IMAP (IDLE) and publishes to the real broker, and marks it handled only after the confirm.
/// Each test has a mailbox of its own.
/// </summary>
public sealed class ImapMailboxTests : AdapterEndpointTest
{
    private readonly string _mailbox = MailServers.NewMailbox("support");

    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new EmailAdapterApp(brokerUrl, _mailbox, afterPublish: "Flag");
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_publish_mail_as_it_arrives_then_flag_it_and_not_publish_it_again_after_a_restart()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        await MailServers.DeliverAsync("maria.rossi@example.net", _mailbox, EmailSamples.Bytes(EmailSamples.GmailReply));
        var message = await inbound.WaitForAsync(m => m.ProviderMessageId == "CAF=reply1042@mail.gmail.com");
        var flagged = await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 1 && s[0].Keywords.Contains("$Routed"));

        Assert.Equal((_mailbox, "Thanks, that works. Could you also send the receipt?"), (message.ChannelAccount, message.Text));
        Assert.True(flagged[0].Flags!.Value.HasFlag(MessageFlags.Seen));

        // A new process on the same mailbox: the flagged mail stays handled, the next one is published.
        await using (var restarted = new EmailAdapterApp(Broker.Url, _mailbox, afterPublish: "Flag"))
        {
            using var client = restarted.CreateClient();
            await AdapterHttp.WaitReadyAsync(client);
            await MailServers.DeliverAsync("paolo@example.org", _mailbox, EmailSamples.Bytes(EmailSamples.NewWithAttachment));
            await inbound.WaitForAsync(m => m.ProviderMessageId == "parcel-photo-1@example.org");
            await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 2 && s.All(m => m.Keywords.Contains("$Routed")));
        }
        Assert.Single(inbound.Messages, m => m.ProviderMessageId == "CAF=reply1042@mail.gmail.com");
    }

    [Fact]
    public async Task Should_record_auto_replies_and_turn_a_real_bounce_into_a_failed_status()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        await using var statuses = await Broker.ObserveAsync<DeliveryStatusChanged>();
        var original = $"reply-{Guid.NewGuid():N}@example.com";

        await MailServers.DeliverAsync("maria.rossi@example.net", _mailbox, EmailSamples.Bytes(EmailSamples.GmailVacation));
        // Our reply to an address that does not exist: Postfix bounces it back to the support mailbox.
        await MailServers.DeliverAsync(_mailbox, "someone@undeliverable.example.org", EmailSamples.Bytes($"""
            From: Example Support <{_mailbox}>
            To: someone@undeliverable.example.org
            Subject: Re: Your order
            Message-ID: <{original}>

            Your order ships tomorrow.
            """));
        await MailServers.DeliverAsync("sofia@example.net", _mailbox, EmailSamples.Bytes(EmailSamples.AutoSubmittedNo));

        var failed = await statuses.WaitForAsync(s => s.ProviderMessageId == original);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "human-1@example.net");
        var mailbox = await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 3 && s.All(m => m.Keywords.Contains("$Routed")));

        Assert.Equal(("failed", "5.1.1", "someone@undeliverable.example.org"), (failed.Status, failed.ErrorCode, failed.Recipient?.Value));
        Assert.Single(inbound.Messages);
        Assert.Equal(2, mailbox.Count(m => m.Keywords.Contains("$NotRouted")));
    }

    [Fact]
    public async Task Should_give_mail_without_a_message_id_a_stable_id_from_its_uid()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        await MailServers.AppendAsync(_mailbox, EmailSamples.Bytes(EmailSamples.NoMessageId));
        var message = await inbound.WaitForAsync(m => m.Sender.Value == "legacy@example.net");

        Assert.Matches($@"^imap\.\d+\.1@{System.Text.RegularExpressions.Regex.Escape(_mailbox)}$", message.ProviderMessageId);
    }

    [Fact]
    public async Task Should_report_the_mailbox_connection_in_readiness()
    {
        // The watcher connects in the background after start-up, "starting" until then.
        var imap = await Eventually.ValueAsync<JsonElement>("the IMAP check to leave \"starting\"", async () =>
            await ImapCheckAsync() is var check && State(check) != "starting" ? check : null);

        Assert.Equal(("Healthy", "connected"), (imap.GetProperty("status").GetString(), State(imap)));
    }

    private async Task<JsonElement> ImapCheckAsync() =>
        (await Client.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("imap");

    private static string? State(JsonElement check) => check.GetProperty("data").GetProperty("state").GetString();
}

/// <summary>The same adapter configured to move handled mail to a folder instead of flagging it.</summary>
public sealed class ImapMoveTests : AdapterEndpointTest
{
    private readonly string _mailbox = MailServers.NewMailbox("support");

    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new EmailAdapterApp(brokerUrl, _mailbox, afterPublish: "Move");
        return (app, app.CreateClient());
    }

    [Fact]
    public async Task Should_move_published_mail_to_the_configured_folder()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        await MailServers.DeliverAsync("giulia@example.net", _mailbox, EmailSamples.Bytes(EmailSamples.IPhoneReply));
        await inbound.WaitForAsync(m => m.ProviderMessageId == "8E3A1F2B-1C2D-4E5F-9A8B-7C6D5E4F3A2B@example.net");

        await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 0);
        var moved = await MailServers.WaitForAsync(_mailbox, "Routed", s => s.Count == 1);
        Assert.Equal("8E3A1F2B-1C2D-4E5F-9A8B-7C6D5E4F3A2B@example.net", moved[0].Envelope!.MessageId);
    }
}

internal sealed class EmailAdapterApp(string brokerUrl, string mailbox, string afterPublish, string publishTimeout = "00:00:10") : WebApplicationFactory<SmtpEmailSender>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("RabbitMq:Url", brokerUrl);
        builder.UseSetting("Webhooks:PublishTimeout", publishTimeout);
        builder.UseSetting("Email:Imap:Host", MailServers.Imap.Host);
        builder.UseSetting("Email:Imap:Port", MailServers.Imap.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Imap:Security", "None");
        builder.UseSetting("Email:Imap:Username", mailbox);
        builder.UseSetting("Email:Imap:Password", MailServers.Password);
        builder.UseSetting("Email:Imap:Address", mailbox);
        builder.UseSetting("Email:Imap:AfterPublish", afterPublish);
        builder.UseSetting("Email:Smtp:Host", MailServers.Smtp.Host);
        builder.UseSetting("Email:Smtp:Port", MailServers.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Smtp:Security", "None");
    }
}

/// <summary>Mail read while the broker cannot confirm stays unhandled in the mailbox, and is published once it can.</summary>
public sealed class ImapBrokerOutageTests : IAsyncLifetime
{
    private readonly string _mailbox = MailServers.NewMailbox("support");
    private Routing.Testing.TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await Routing.Testing.TestBroker.CreateAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Should_leave_mail_unflagged_until_the_broker_confirms_it()
    {
        await using var inbound = await _broker.ObserveAsync<InboundMessageReceived>();
        // A virtual host that does not exist: the adapter's bus cannot connect, so no publish is confirmed.
        var unreachable = new Uri(new Uri(_broker.Url), $"/no-such-vhost-{Guid.NewGuid():N}").ToString();
        await using (var outage = new EmailAdapterApp(unreachable, _mailbox, afterPublish: "Flag", publishTimeout: "00:00:01"))
        {
            using var client = outage.CreateClient();
            await MailServers.DeliverAsync("paolo@example.org", _mailbox, EmailSamples.Bytes(EmailSamples.NewWithAttachment));
            await Task.Delay(TimeSpan.FromSeconds(4)); // several rounds, each refused by the broker
            var waiting = await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 1);
            Assert.DoesNotContain("$Routed", waiting[0].Keywords);
            Assert.False(waiting[0].Flags!.Value.HasFlag(MailKit.MessageFlags.Seen));
        }

        await using var recovered = new EmailAdapterApp(_broker.Url, _mailbox, afterPublish: "Flag");
        using var ready = recovered.CreateClient();
        await inbound.WaitForAsync(m => m.ProviderMessageId == "parcel-photo-1@example.org");
        await MailServers.WaitForAsync(_mailbox, "INBOX", s => s.Count == 1 && s[0].Keywords.Contains("$Routed"));
    }
}
