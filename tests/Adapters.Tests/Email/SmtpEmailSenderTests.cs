using Routing.Samples;
using MailKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Routing.Adapters.Email;
using Routing.Adapters.Email.Smtp;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Email;

/// <summary>Replies sent through the real Postfix, read back from the customer's mailbox in Dovecot.</summary>
public sealed class SmtpEmailSenderTests
{
    private static readonly FileDownloads Downloads =
        new(new ServiceCollection().AddHttpClient().BuildServiceProvider()
            .GetRequiredService<IHttpClientFactory>());

    private static SmtpEmailSender Sender(int? port = null, string? host = null) => new(
        Options.Create(new EmailOptions
        {
            Smtp = new SmtpOptions
            {
                Host = host ?? MailServers.Smtp.Host, Port = port ?? MailServers.Smtp.Port, Security = MailKit.Security.SecureSocketOptions.None,
                DisplayName = "Example Support", Timeout = TimeSpan.FromSeconds(5),
            },
        }),
        Options.Create(new OutboundOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(50), TotalTimeout = TimeSpan.FromSeconds(20) }),
        Downloads, TimeProvider.System);

    [Fact]
    public async Task Should_send_a_reply_the_customers_client_threads()
    {
        var customer = MailServers.NewMailbox("maria", "example.net");
        var command = Command(customer);

        var outcome = await Sender().SendAsync(command, CancellationToken.None);

        Assert.Equal($"{command.CommandId:N}@example.com", outcome.ProviderMessageId);
        var received = Assert.Single(await MailServers.WaitForAsync(customer, "INBOX", s => s.Count == 1));
        var envelope = received.Envelope!;
        Assert.Equal((outcome.ProviderMessageId, "Re: Invoice 1042", "reply1042@mail.gmail.com"), (envelope.MessageId, envelope.Subject, envelope.InReplyTo));
        Assert.Equal(["root1042@mail.gmail.com", "reply1042@mail.gmail.com"], received.References!.ToArray());
        Assert.Equal(("Example Support", "support@example.com"), (envelope.From.Mailboxes.Single().Name, envelope.From.Mailboxes.Single().Address));
        using var client = await MailServers.ConnectAsync(customer);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var mail = await client.Inbox.GetMessageAsync(received.UniqueId);
        Assert.Equal("The receipt is attached now.", mail.TextBody?.TrimEnd());
        Assert.Empty(mail.Attachments);
    }

    [Fact]
    public async Task Should_attach_the_agents_files_fetched_from_the_gateway()
    {
        await using var gateway = await GatewayFiles.StartAsync();
        var pdf = "%PDF-1.4 receipt 1042"u8.ToArray();
        var customer = MailServers.NewMailbox("maria", "example.net");
        var command = Command(customer) with { Attachments = [gateway.Put("receipt-1042.pdf", "application/pdf", pdf)] };

        var outcome = await Sender().SendAsync(command, CancellationToken.None);

        Assert.NotNull(outcome.ProviderMessageId);
        var received = Assert.Single(await MailServers.WaitForAsync(customer, "INBOX", s => s.Count == 1));
        using var client = await MailServers.ConnectAsync(customer);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var mail = await client.Inbox.GetMessageAsync(received.UniqueId);
        Assert.Equal("The receipt is attached now.", mail.TextBody?.TrimEnd());
        var attached = Assert.IsType<MimeKit.MimePart>(Assert.Single(mail.Attachments));
        Assert.Equal(("receipt-1042.pdf", "application/pdf"), (attached.FileName, attached.ContentType.MimeType));
        using var content = new MemoryStream();
        await attached.Content!.DecodeToAsync(content);
        Assert.Equal(pdf, content.ToArray());
    }

    [Fact]
    public async Task Should_send_nothing_when_a_file_link_no_longer_opens()
    {
        await using var gateway = await GatewayFiles.StartAsync();
        // no SMTP server at all: a mail without its file never gets as far as one
        var outcome = await Sender(port: 1).SendAsync(Command("maria@example.net") with { Attachments = [gateway.Link("gone.pdf", "application/pdf", 10)] },
            CancellationToken.None);

        Assert.Equal(("file-unavailable", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Contains("gone.pdf", outcome.ErrorMessage);
    }

    [Fact]
    public async Task Should_fail_permanently_when_the_server_refuses_the_recipient()
    {
        var outcome = await Sender().SendAsync(Command("refused@example.net"), CancellationToken.None);

        Assert.Equal(("550", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Contains("RecipientNotAccepted", outcome.ErrorMessage);
    }

    [Fact]
    public async Task Should_fail_transiently_when_no_server_answers_after_retrying()
    {
        var outcome = await Sender(port: 1).SendAsync(Command(MailServers.NewMailbox("maria", "example.net")), CancellationToken.None);

        Assert.Equal(("unreachable", false), (outcome.ErrorCode, outcome.Permanent));
    }

    [Fact]
    public async Task Should_not_send_again_when_the_connection_drops_after_the_mail_was_handed_over()
    {
        // A server that takes the whole mail, then drops the connection instead of answering 250: it may have queued it.
        using var server = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        server.Start();
        var handedOver = 0;
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await server.AcceptTcpClientAsync();
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream);
                await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\r\n" };
                await writer.WriteLineAsync("220 imitation ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("250 imitation");
                    }
                    else if (line.StartsWith("DATA", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        while (await reader.ReadLineAsync() is { } content && content != ".")
                        {
                        }
                        Interlocked.Increment(ref handedOver);
                        client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                        break;
                    }
                    else
                    {
                        await writer.WriteLineAsync("250 ok");
                    }
                }
            }
        });
        var port = ((System.Net.IPEndPoint)server.LocalEndpoint).Port;

        var outcome = await Sender(port: port, host: "127.0.0.1").SendAsync(Command("maria@example.net"), CancellationToken.None);

        Assert.Equal(("connection-lost", true, false), (outcome.ErrorCode, outcome.Uncertain, outcome.Permanent));
        Assert.Equal(1, Volatile.Read(ref handedOver));
        Assert.False(serving.IsFaulted, serving.Exception?.ToString());
    }

    [Fact]
    public async Task Should_refuse_to_send_without_a_server_or_to_a_non_address()
    {
        var unconfigured = new SmtpEmailSender(Options.Create(new EmailOptions()), Options.Create(new OutboundOptions()), Downloads, TimeProvider.System);

        var withoutServer = await unconfigured.SendAsync(Command("maria@example.net"), CancellationToken.None);
        var notAnAddress = await Sender().SendAsync(Command("maria at example.net"), CancellationToken.None);

        Assert.Equal(("not-configured", true), (withoutServer.ErrorCode, withoutServer.Permanent));
        Assert.Equal(("invalid-address", true), (notAnAddress.ErrorCode, notAnAddress.Permanent));
    }

    private static SendChannelMessage Command(string to) => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "email",
        ChannelAccount = "support@example.com",
        To = new CustomerAddress { Kind = "email", Value = to, DisplayName = "Maria Rossi" },
        ThreadKey = "root1042@mail.gmail.com",
        ReplyToProviderMessageId = "reply1042@mail.gmail.com",
        Subject = "Invoice 1042",
        Text = "The receipt is attached now.",
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
