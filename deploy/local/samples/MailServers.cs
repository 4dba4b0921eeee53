using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Routing.Samples;

/// <summary>
/// The real mail servers `make infra` starts (Dovecot for IMAP, Postfix for SMTP delivering into Dovecot),
/// found through ROUTING_TEST_IMAP, ROUTING_TEST_SMTP and ROUTING_TEST_MAIL_PASSWORD. Every address on
/// example.com, example.net and example.org is a mailbox with the same dev-only password, so each test uses
/// mailboxes of its own. Without the servers the tests fail with this message; they never skip.
/// </summary>
public static class MailServers
{
    /// <summary>How long <see cref="WaitForAsync"/> polls a folder: long enough for a two-core machine busy with other work.</summary>
    public static TimeSpan Patience { get; set; } = TimeSpan.FromSeconds(60);

    public static Uri Imap => Required("ROUTING_TEST_IMAP");

    public static Uri Smtp => Required("ROUTING_TEST_SMTP");

    public static string Password => Environment.GetEnvironmentVariable("ROUTING_TEST_MAIL_PASSWORD") is { Length: > 0 } password
        ? password : throw Missing("ROUTING_TEST_MAIL_PASSWORD");

    /// <summary>A mailbox no other test uses, e.g. support-3f2a…@example.com.</summary>
    public static string NewMailbox(string name, string domain = "example.com") => $"{name}-{Guid.NewGuid():N}@{domain}";

    /// <summary>Hands raw mail to Postfix over SMTP, as any sender would; it lands in Dovecot moments later.</summary>
    public static async Task DeliverAsync(string from, string to, byte[] raw)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(Smtp.Host, Smtp.Port, SecureSocketOptions.None);
        await client.SendAsync(MimeMessage.Load(new MemoryStream(raw)), new MailboxAddress("", from), [new MailboxAddress("", to)]);
        await client.DisconnectAsync(true);
    }

    /// <summary>
    /// A person's reply, as a mail client writes it: "Re:" the subject, In-Reply-To and References the mail answered,
    /// <paramref name="text"/> above the quoted history. Handed to Postfix; returns its Message-ID.
    /// </summary>
    /// <param name="files">files attached to it (Content-Disposition: attachment), each with its name, type and content</param>
    /// <param name="inline">files shown in the mail rather than attached (a signature's logo), each with its name, type and content</param>
    public static async Task<string> ReplyAsync(string from, string to, string text, MimeMessage? answering = null,
        IReadOnlyList<(string Name, string Type, byte[] Content)>? files = null, IReadOnlyList<(string Name, string Type, byte[] Content)>? inline = null)
    {
        var builder = new BodyBuilder
        {
            TextBody = answering is null ? text : $"{text}\n\nOn {answering.Date:R}, {answering.From} wrote:\n> {answering.TextBody?.Split('\n')[0]}\n",
        };
        foreach (var (name, type, content) in files ?? [])
        {
            builder.Attachments.Add(name, content, ContentType.Parse(type));
        }
        foreach (var (name, type, content) in inline ?? [])
        {
            builder.LinkedResources.Add(name, content, ContentType.Parse(type)).ContentId = MimeKit.Utils.MimeUtils.GenerateMessageId();
        }
        var mail = new MimeMessage
        {
            Subject = "Re: " + (answering?.Subject ?? "conversation"),
            MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("agents.example.com"),
            Body = builder.ToMessageBody(),
        };
        mail.From.Add(MailboxAddress.Parse(from));
        mail.To.Add(MailboxAddress.Parse(to));
        if (answering?.MessageId is { } answered)
        {
            mail.InReplyTo = answered;
            mail.References.Add(answered);
        }
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw);
        await DeliverAsync(from, to, raw.ToArray());
        return mail.MessageId;
    }

    /// <summary>Puts raw mail straight into a mailbox's folder over IMAP (no MTA adds headers on the way).</summary>
    public static async Task AppendAsync(string mailbox, byte[] raw, string folder = "INBOX")
    {
        using var client = await ConnectAsync(mailbox);
        var target = await client.GetFolderAsync(folder);
        await target.AppendAsync(MimeMessage.Load(new MemoryStream(raw)));
        await client.DisconnectAsync(true);
    }

    public static async Task<ImapClient> ConnectAsync(string mailbox)
    {
        var client = new ImapClient();
        await client.ConnectAsync(Imap.Host, Imap.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(mailbox, Password);
        return client;
    }

    /// <summary>The messages of a folder with their flags and keywords, polled until <paramref name="done"/> holds; on giving up, what the folder held.</summary>
    public static async Task<IList<IMessageSummary>> WaitForAsync(string mailbox, string folder, Func<IList<IMessageSummary>, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            IList<IMessageSummary> summaries;
            try
            {
                using var client = await ConnectAsync(mailbox);
                var target = await client.GetFolderAsync(folder);
                await target.OpenAsync(FolderAccess.ReadOnly);
                summaries = target.Count == 0 ? [] : await target.FetchAsync(0, -1,
                    new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.References));
                await client.DisconnectAsync(true);
            }
            catch (ImapProtocolException) when (DateTime.UtcNow < deadline)
            {
                // The folder changed under the FETCH (another client moved or expunged a message as it was read: Dovecot
                // answers that message with NIL parts, which MailKit refuses). Look again.
                await Task.Delay(200);
                continue;
            }
            if (done(summaries))
            {
                return summaries;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{mailbox}/{folder} did not reach the expected state; it has {summaries.Count} messages: " +
                    string.Join("; ", summaries.Select(s => $"{s.Envelope?.MessageId} {s.Flags} {string.Join(',', s.Keywords)}")));
            }
            await Task.Delay(200);
        }
    }

    private static Uri Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? new Uri(value) : throw Missing(variable);

    private static InvalidOperationException Missing(string variable) =>
        new($"No mail servers for the email tests: set {variable} (`make test` and `make infra` start Dovecot and Postfix and write it to .local/env).");
}
