using Routing.Adapters.Email.Files;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.Adapters.Webhooks;
using Routing.MailAuthentication;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// SendGrid Inbound Parse (POST /webhooks/email/sendgrid, multipart/form-data): the parsed fields (headers,
/// text, html, envelope, attachment1…N), or the whole mail in "email" when "POST the raw, full MIME message"
/// is on (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook).
/// Authenticated by the basic-auth user and password in the destination URL. The sender's verdicts: "SPF" (for the
/// envelope's "from") and "dkim", one result per signing domain ("{@example.org : pass, @other.example : fail}").
/// </summary>
internal sealed class SendGridWebhook(IOptions<EmailOptions> options, EmailMetrics metrics, ILogger<SendGridWebhook> logger, EmailFiles files) : EmailWebhook(options, metrics, logger, files)
{
    protected override string Provider => "sendgrid";

    public override IReadOnlyCollection<string> MediaTypes { get; } = ["multipart/form-data"];

    public override SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(Options.SendGrid.Password, Options.SendGrid.PreviousPasswords, password => BasicAuth.Verify(request, Options.SendGrid.Username, password));

    protected override IReadOnlyCollection<AuthenticationCheck> ProviderChecks(WebhookRequest request, MimeMessage mail)
    {
        var form = FormPayload.Read(request);
        var checks = new List<AuthenticationCheck>();
        if (form["SPF"] is { Length: > 0 } spf)
        {
            checks.Add(new AuthenticationCheck("spf", spf.Trim().ToLowerInvariant(), AuthenticationCheck.DomainOf(EnvelopeSender(form))));
        }
        if (form["dkim"] is { Length: > 0 } dkim)
        {
            foreach (var entry in dkim.Trim().TrimStart('{').TrimEnd('}').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && parts[1].Length > 0)
                {
                    checks.Add(new AuthenticationCheck("dkim", parts[1].ToLowerInvariant(), AuthenticationCheck.DomainOf(parts[0].TrimStart('@'))));
                }
            }
        }
        return checks;
    }

    private static string? EnvelopeSender(FormPayload form)
    {
        try
        {
            using var document = JsonDocument.Parse(form["envelope"] ?? "");
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("from", out var from)
                   && from.ValueKind == JsonValueKind.String ? from.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

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
