using Routing.MailText;
using MimeKit;
using Routing.Contracts;
using Routing.MailAuthentication;

namespace Routing.Adapters.Email.Mime;

/// <summary>What one mail becomes: a customer's message, or the reason it is not routed (with a failed status when it bounced one of ours).</summary>
internal sealed record EmailReading(string ProviderMessageId, InboundMessageReceived? Message, string? NotRoutedReason, DeliveryStatusChanged? Bounced);

/// <summary>
/// Normalizes a MIME message from any source (IMAP, or a provider's inbound webhook rebuilt as MIME):
/// Message-ID is the provider message id; the thread key is the first of References, else In-Reply-To,
/// else the Message-ID, so every reply in a thread shares its root; the text is the text part, or the HTML
/// part as text, with quoted history and signature trimmed (the whole text is kept in metadata "full_text");
/// attachments carry their type, name and size, and a link to the adapter's copy where it keeps files (Files/EmailFiles). The sender is verified when the provider's verdicts or a trusted
/// server's Authentication-Results show SPF, DKIM or DMARC passed for the From domain (metadata "sender_authentication"
/// says which, for people).
/// </summary>
internal static class InboundEmail
{
    public const string FullText = "full_text";
    public const string SenderAuthenticationKey = "sender_authentication";

    /// <param name="fallbackId">the id to use when the mail has no Message-ID (e.g. "imap:{uidvalidity}:{uid}@{mailbox}")</param>
    /// <param name="providerChecks">the verdicts the inbound provider gave beside the mail (none over IMAP)</param>
    /// <param name="trustedServers">the authserv-ids whose Authentication-Results header is believed</param>
    /// <param name="keep">keeps an attachment's content where the agent gateway can fetch it (message id, place, part), answering its link; null: names only</param>
    public static EmailReading Read(MimeMessage mail, string channelAccount, string fallbackId, DateTimeOffset receivedAt,
        IReadOnlyCollection<AuthenticationCheck> providerChecks, IReadOnlyCollection<string> trustedServers, Func<Guid, int, MimePart, string?>? keep = null)
    {
        var id = string.IsNullOrWhiteSpace(mail.MessageId) ? fallbackId : mail.MessageId;
        if (AutomaticMail.Reason(mail) is { } reason)
        {
            return new EmailReading(id, null, reason, reason == AutomaticMail.Bounce ? DeliveryReport.Failure(mail, channelAccount, receivedAt) : null);
        }
        if (mail.From.Mailboxes.FirstOrDefault() is not { Address.Length: > 0 } from)
        {
            return new EmailReading(id, null, "no sender", null);
        }

        // Line ends as \n whatever the source wrote (CRLF on the wire, LF in some providers' JSON).
        var full = (mail.TextBody is { } plain ? plain : mail.HtmlBody is { } html ? HtmlText.ToText(html) : "").ReplaceLineEndings("\n").Trim();
        var text = ReplyText.Strip(full);
        var metadata = new Dictionary<string, string>();
        if (text != full)
        {
            metadata[FullText] = full;
        }
        if (mail.To.Mailboxes.FirstOrDefault() is { } to)
        {
            metadata["to"] = to.Address;
        }
        var verdict = Verdict(mail, from, providerChecks, trustedServers);
        metadata[SenderAuthenticationKey] = (verdict.Verified ? "verified: " : "unverified: ") + verdict.Summary;
        var references = mail.References.Where(r => !string.IsNullOrWhiteSpace(r)).ToList();
        var messageId = MessageIds.ForInbound(Channels.Email, id);
        return new EmailReading(id, new InboundMessageReceived
        {
            MessageId = messageId,
            Channel = Channels.Email,
            ChannelAccount = channelAccount,
            ProviderMessageId = id,
            Sender = new CustomerAddress { Kind = "email", Value = from.Address, DisplayName = string.IsNullOrWhiteSpace(from.Name) ? null : from.Name },
            ThreadKey = references.FirstOrDefault() ?? NullIfEmpty(mail.InReplyTo) ?? id,
            Subject = NullIfEmpty(mail.Subject),
            Text = text.Length > 0 ? text : null,
            Attachments = Attachments(mail, messageId, keep),
            ProviderTimestamp = mail.Date == DateTimeOffset.MinValue ? receivedAt : mail.Date.ToUniversalTime(),
            ReceivedAt = receivedAt,
            ReplyToProviderMessageId = NullIfEmpty(mail.InReplyTo),
            SenderVerified = verdict.Verified,
            Metadata = metadata,
        }, null, null);
    }

    private static SenderVerdict Verdict(MimeMessage mail, MailboxAddress from, IReadOnlyCollection<AuthenticationCheck> providerChecks,
        IReadOnlyCollection<string> trustedServers)
    {
        var headers = mail.Headers.Where(h => h.Field.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
        var checks = providerChecks.Concat(AuthenticationHeaders.Trusted(headers, trustedServers)).ToList();
        return SenderAuthentication.Evaluate(from.Address, mail.From.Mailboxes.Count(), checks);
    }

    private static List<MessageAttachment> Attachments(MimeMessage mail, Guid messageId, Func<Guid, int, MimePart, string?>? keep) =>
        mail.Attachments.Select((entity, position) => entity switch
        {
            MimePart part => new MessageAttachment
            {
                ContentType = part.ContentType.MimeType.ToLowerInvariant(),
                FileName = part.FileName,
                SizeBytes = DecodedSize(part),
                Url = keep?.Invoke(messageId, position, part),
            },
            MessagePart attached => new MessageAttachment { ContentType = "message/rfc822", FileName = attached.ContentDisposition?.FileName ?? attached.Message?.Subject },
            _ => new MessageAttachment { ContentType = entity.ContentType.MimeType.ToLowerInvariant() },
        }).ToList();

    private static long? DecodedSize(MimePart part)
    {
        if (part.Content is null)
        {
            return null;
        }
        using var counter = new CountingStream();
        part.Content.DecodeTo(counter);
        return counter.Length;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
    }
}
