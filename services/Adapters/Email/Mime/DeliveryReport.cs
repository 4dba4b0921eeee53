using MimeKit;
using Routing.Contracts;

namespace Routing.Adapters.Email.Mime;

/// <summary>
/// A bounce of one of our replies (RFC 3464 delivery-status report): the original's Message-ID, which is the
/// provider message id our sender reported, becomes a failed status with the recipient's status code
/// (e.g. 5.1.1) and the diagnostic.
/// </summary>
internal static class DeliveryReport
{
    public static DeliveryStatusChanged? Failure(MimeMessage mail, string channelAccount, DateTimeOffset receivedAt)
    {
        if (mail.Body is not MultipartReport report)
        {
            return null;
        }
        var original = report.OfType<MessagePart>().Select(p => p.Message?.MessageId).FirstOrDefault(id => !string.IsNullOrWhiteSpace(id))
            ?? report.OfType<TextPart>().Where(p => p.ContentType.IsMimeType("text", "rfc822-headers"))
                .Select(p => HeaderList.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(p.Text)))[HeaderId.MessageId])
                .FirstOrDefault(id => !string.IsNullOrWhiteSpace(id))?.Trim().Trim('<', '>');
        if (original is null)
        {
            return null;
        }
        var recipient = report.OfType<MessageDeliveryStatus>().SelectMany(s => s.StatusGroups.Skip(1)).FirstOrDefault();
        var finalRecipient = recipient?["Final-Recipient"] ?? recipient?["Original-Recipient"];
        var address = finalRecipient?.Split(';', 2) is [_, var value] ? value.Trim() : finalRecipient?.Trim();
        return new DeliveryStatusChanged
        {
            Channel = Channels.Email,
            ChannelAccount = channelAccount,
            ProviderMessageId = original,
            Recipient = string.IsNullOrEmpty(address) ? null : new CustomerAddress { Kind = "email", Value = address },
            Status = "failed",
            ErrorCode = recipient?["Status"]?.Trim() ?? "bounced",
            OccurredAt = mail.Date == DateTimeOffset.MinValue ? receivedAt : mail.Date.ToUniversalTime(),
        };
    }
}
