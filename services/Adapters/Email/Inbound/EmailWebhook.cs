using Routing.Adapters.Email.Files;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.Adapters.Email.Mime;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using Routing.MailAuthentication;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// What the inbound-mail providers share once a delivery is verified: the mail is rebuilt as MIME (or taken
/// as the raw MIME the provider forwards) and normalized like mail read over IMAP, so threading, text,
/// trimming and the auto-reply and bounce rules are the same whichever way mail arrives.
/// </summary>
internal abstract class EmailWebhook(IOptions<EmailOptions> options, EmailMetrics metrics, ILogger logger, EmailFiles files) : IChannelWebhook
{
    public string Channel => Channels.Email;

    protected EmailOptions Options => options.Value;

    public abstract IReadOnlyCollection<string> MediaTypes { get; }

    /// <summary>The provider's name, as in the path and the metrics (mailgun, postmark, sendgrid).</summary>
    protected abstract string Provider { get; }

    public virtual (string Body, string ContentType) Acknowledgement => ("", "text/plain");

    public abstract SignatureCheck Verify(WebhookRequest request);

    /// <summary>The mail and the address it was sent to (our support address: the channel account).</summary>
    protected abstract (MimeMessage Mail, string Recipient) Read(WebhookRequest request);

    /// <summary>
    /// The one-time value a signature that does not cover the mail was made over (InboundMessageReceived.DeliveryNonce),
    /// or null: routing refuses a second, different mail under it.
    /// </summary>
    protected virtual string? DeliveryNonce(WebhookRequest request) => null;

    /// <summary>
    /// The SPF, DKIM or DMARC verdicts the provider gives beside the mail, in fields of its own a sender cannot write
    /// (headers inside the mail can be anybody's, except the topmost Authentication-Results of a trusted server).
    /// </summary>
    protected virtual IReadOnlyCollection<AuthenticationCheck> ProviderChecks(WebhookRequest request, MimeMessage mail) => [];

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        var (mail, recipient) = Read(request);
        var reading = InboundEmail.Read(mail, recipient.Trim().ToLowerInvariant(), FallbackId(mail), receivedAt,
            ProviderChecks(request, mail), Options.TrustedAuthenticationServers, files.Keep);
        if (reading.Message is { } message)
        {
            metrics.Read(Provider, "routed");
            return new WebhookContent([message with { DeliveryNonce = DeliveryNonce(request) }], []);
        }
        metrics.Read(Provider, reading.NotRoutedReason == AutomaticMail.Bounce ? "bounce" : "not-routed");
        logger.LogInformation("Not routing mail {MessageId} from {Provider}: {Reason}", reading.ProviderMessageId, Provider, reading.NotRoutedReason);
        return new WebhookContent([], reading.Bounced is { } bounce ? [bounce] : []);
    }

    /// <summary>For mail without a Message-ID: the same for every retry of the same mail (sender, date, subject, text).</summary>
    private string FallbackId(MimeMessage mail)
    {
        var content = string.Join('\n', mail.From.ToString(), mail.Date.ToString("O"), mail.Subject, mail.TextBody ?? mail.HtmlBody ?? "");
        return $"{Provider}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..32]}@routing.invalid";
    }

    /// <summary>A body of the text and HTML parts the provider parsed out, with its files as attachments.</summary>
    protected static MimeEntity Body(string? text, string? html, IEnumerable<(string? FileName, string ContentType, byte[] Content)> files)
    {
        var alternative = new MultipartAlternative();
        if (!string.IsNullOrEmpty(text))
        {
            alternative.Add(new TextPart("plain") { Text = text });
        }
        if (!string.IsNullOrEmpty(html))
        {
            alternative.Add(new TextPart("html") { Text = html });
        }
        var attachments = files.Select(f => new MimePart(ContentType.TryParse(f.ContentType, out var type) ? type : new ContentType("application", "octet-stream"))
        {
            Content = new MimeContent(new MemoryStream(f.Content)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            FileName = f.FileName,
        }).ToList();
        if (attachments.Count == 0)
        {
            return alternative.Count == 1 ? alternative[0] : alternative;
        }
        var mixed = new Multipart("mixed") { alternative.Count == 1 ? alternative[0] : alternative };
        foreach (var attachment in attachments)
        {
            mixed.Add(attachment);
        }
        return mixed;
    }

    /// <summary>Adds the provider's copy of the original headers, leaving out those that describe a body we rebuilt.</summary>
    protected static void AddHeaders(MimeMessage mail, IEnumerable<(string Name, string Value)> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.Equals("MIME-Version", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (name.Equals("Subject", StringComparison.OrdinalIgnoreCase))
            {
                // set as the property: an added Subject header is not read back by MimeMessage.Subject
                mail.Subject = MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(value.Trim()));
                continue;
            }
            try
            {
                mail.Headers.Add(name, value);
            }
            catch (ArgumentException)
            {
                // a header name MimeKit refuses (spaces, control characters): not one the adapter reads
            }
        }
    }

    /// <summary>A message with no headers yet (MimeKit's constructor would invent a Date and a Message-ID).</summary>
    protected static MimeMessage EmptyMessage()
    {
        var mail = new MimeMessage();
        mail.Headers.Remove(HeaderId.MessageId);
        mail.Headers.Remove(HeaderId.Date);
        return mail;
    }

    protected static MimeMessage ParseMime(string raw, string field)
    {
        try
        {
            return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        }
        catch (FormatException ex)
        {
            throw new MalformedWebhookException(field, $"is not a MIME message: {ex.Message}");
        }
    }
}
