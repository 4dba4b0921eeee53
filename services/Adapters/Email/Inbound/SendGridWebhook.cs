using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// SendGrid Inbound Parse (POST /webhooks/email/sendgrid, multipart/form-data): the parsed fields (headers,
/// text, html, envelope, attachment1…N), or the whole mail in "email" when "POST the raw, full MIME message"
/// is on (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook).
/// Authenticated by the basic-auth user and password in the destination URL.
/// </summary>
internal sealed class SendGridWebhook(IOptions<EmailOptions> options, EmailMetrics metrics, ILogger<SendGridWebhook> logger) : EmailWebhook(metrics, logger)
{
    protected override string Provider => "sendgrid";

    public override SignatureCheck Verify(WebhookRequest request) =>
        BasicAuth.Verify(request, options.Value.SendGrid.Username, options.Value.SendGrid.Password);

    protected override (MimeMessage Mail, string Recipient) Read(WebhookRequest request)
    {
        var form = FormPayload.Read(request);
        var recipient = Recipient(form);
        if (form["email"] is { Length: > 0 } raw)
        {
            return (ParseMime(raw, "email"), recipient);
        }
        if (form["headers"] is not { Length: > 0 } headers)
        {
            throw new MalformedWebhookException("headers", "is required (or email, with raw MIME)");
        }
        var mail = EmptyMessage();
        try
        {
            AddHeaders(mail, HeaderList.Load(new MemoryStream(Encoding.UTF8.GetBytes(headers.TrimEnd() + "\r\n\r\n"))).Select(h => (h.Field, h.Value)));
        }
        catch (FormatException ex)
        {
            throw new MalformedWebhookException("headers", $"are not mail headers: {ex.Message}");
        }
        mail.Body = Body(form["text"], form["html"], form.Files.Select(f => (f.FileName, f.ContentType, f.Content)));
        return (mail, recipient);
    }

    /// <summary>The envelope's first recipient (what the sender's server addressed), else the To header's first.</summary>
    private static string Recipient(FormPayload form)
    {
        if (form["envelope"] is { Length: > 0 } envelope)
        {
            try
            {
                using var document = JsonDocument.Parse(envelope);
                var first = JsonPayload.Optional(document.RootElement, "to").FirstOrDefault();
                if (first.ValueKind == JsonValueKind.String && first.GetString() is { Length: > 0 } address)
                {
                    return address;
                }
            }
            catch (JsonException ex)
            {
                throw new MalformedWebhookException("envelope", $"is not JSON: {ex.Message}");
            }
        }
        return form["to"] is { Length: > 0 } to && InternetAddressList.TryParse(to, out var list) && list.Mailboxes.FirstOrDefault() is { } mailbox
            ? mailbox.Address : throw new MalformedWebhookException("envelope", "must name a recipient (or to)");
    }
}
