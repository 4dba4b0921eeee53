using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Routing.Adapters.Email;

/// <summary>The support mailbox and its servers (section "Email"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class EmailOptions
{
    public const string Section = "Email";

    public ImapOptions Imap { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Mailgun inbound routes: the HTTP webhook signing key (Mailgun → Sending → Webhooks → HTTP webhook signing key).</summary>
    public MailgunOptions Mailgun { get; set; } = new();

    /// <summary>Postmark inbound: the user and password written into the webhook URL (https://user:password@host/webhooks/email/postmark).</summary>
    public BasicAuthOptions Postmark { get; set; } = new();

    /// <summary>SendGrid Inbound Parse: the user and password written into the destination URL.</summary>
    public BasicAuthOptions SendGrid { get; set; } = new();

    /// <summary>
    /// The authserv-ids of the receiving servers whose Authentication-Results headers are believed (the support mailbox's
    /// MX, e.g. "mx.google.com" or your Postfix with OpenDMARC's AuthservID). Each must remove that header from incoming
    /// mail, as RFC 8601 asks; only the topmost one counts. Without any, mail read over IMAP (and raw MIME from a provider
    /// that gives no verdict of its own) is unverified: it never joins the customer who owns its From address.
    /// </summary>
    public List<string> TrustedAuthenticationServers { get; set; } = [];
}

internal sealed class MailgunOptions
{
    public string SigningKey { get; set; } = "";

    /// <summary>Signing keys still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousSigningKeys { get; set; } = [];

    /// <summary>A signed timestamp older (or further ahead) than this is refused as a replay.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(15);
}

internal sealed class BasicAuthOptions
{
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Passwords still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousPasswords { get; set; } = [];
}

internal enum AfterPublish
{
    /// <summary>Mark the message \Seen and with the keyword $Routed; it stays in the folder.</summary>
    Flag,

    /// <summary>Move it to <see cref="ImapOptions.MoveTo"/> (created when missing).</summary>
    Move,
}

internal sealed class ImapOptions
{
    /// <summary>Off by default: without a host the adapter serves only the inbound webhooks and SMTP.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>Auto (TLS on 993, STARTTLS where offered), SslOnConnect, StartTls, or None (loopback tests only).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>The support address customers write to: the channel account of every message read here.</summary>
    public string Address { get; set; } = "";

    public string Folder { get; set; } = "INBOX";

    public AfterPublish AfterPublish { get; set; } = AfterPublish.Flag;

    public string MoveTo { get; set; } = "Routed";

    /// <summary>Between checks when the server has no IDLE, and the longest an IDLE lasts before it is renewed (RFC 2177: under 29 minutes).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan IdleRenewal { get; set; } = TimeSpan.FromMinutes(9);

    /// <summary>Messages fetched and published per round.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;
}

internal sealed class SmtpOptions
{
    /// <summary>Without a host, sends fail permanently with "not-configured".</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The name customers see beside the support address, e.g. "Example Support".</summary>
    public string? DisplayName { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
