using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Routing.AgentGateway.Email;

/// <summary>
/// Email as an agent's tool (section "Gateway:Email"): conversations are sent to agents' mailboxes over SMTP, and their
/// replies, addressed to a conversation's signed reply address, are read from the reply mailbox over IMAP. Sending is
/// off until Smtp:Host is set, reading until Imap:Host is set.
/// </summary>
internal sealed class AgentEmailOptions
{
    public const string Section = "Gateway:Email";

    /// <summary>Who the mails to agents come from, e.g. "Conversations &lt;conversations@example.com&gt;".</summary>
    public string From { get; set; } = "";

    /// <summary>
    /// The mailbox agents' replies go to; each conversation's reply address is it with a signed token after a "+"
    /// (reply+token@example.com), so the mail server must deliver plus-addresses into it (most do, Postfix and Dovecot
    /// with recipient_delimiter = +).
    /// </summary>
    public string ReplyAddress { get; set; } = "";

    public MailServerOptions Smtp { get; set; } = new() { Port = 587 };

    public MailServerOptions Imap { get; set; } = new() { Port = 993 };

    /// <summary>The IMAP folder replies arrive in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>How often the reply mailbox is checked.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a replica that does not hold the reply mailbox's lease (another one reads it) tries to take it.</summary>
    public TimeSpan LeaseRetry { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Act on an agent's mail only when its From is verified: the reply mailbox's receiving server found SPF, DKIM or
    /// DMARC passing for the From's domain (its Authentication-Results, under one of <see cref="TrustedAuthenticationServers"/>).
    /// The signed reply address already proves the mail answers a mail the agent received; this keeps a leaked reply
    /// address from being enough. Off only where agents' mail cannot be authenticated.
    /// </summary>
    public bool RequireVerifiedSender { get; set; } = true;

    /// <summary>The authserv-ids of the reply mailbox's receiving servers, whose topmost Authentication-Results header is believed.</summary>
    public List<string> TrustedAuthenticationServers { get; set; } = [];
}

internal sealed class MailServerOptions
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; }

    /// <summary>Auto (TLS on 465/993, STARTTLS where offered), SslOnConnect, StartTls, or None (loopback only).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public string? Username { get; set; }

    public string? Password { get; set; }
}
