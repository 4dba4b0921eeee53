using Routing.Adapters.Email.Files;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Routing.Adapters.Webhooks;
using Routing.MailAuthentication;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// Postmark's inbound webhook (POST /webhooks/email/postmark): the parsed mail as JSON
/// (https://postmarkapp.com/developer/webhooks/inbound-webhook), or its RawEmail when the stream includes it.
/// Authenticated by the basic-auth user and password in the webhook URL. Postmark stops retrying after a
/// 403, and retries anything else but 200 (a broker that cannot confirm answers 503). The sender's verdict: the
/// topmost Received-SPF, the one Postmark's inbound server adds above the mail's own headers (for its envelope-from).
/// </summary>
internal sealed class PostmarkWebhook(IOptions<EmailOptions> options, EmailMetrics metrics, ILogger<PostmarkWebhook> logger, EmailFiles files) : EmailWebhook(options, metrics, logger, files)
{
    protected override string Provider => "postmark";

    public override IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public override SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(Options.Postmark.Password, Options.Postmark.PreviousPasswords, password => BasicAuth.Verify(request, Options.Postmark.Username, password));

    protected override IReadOnlyCollection<AuthenticationCheck> ProviderChecks(WebhookRequest request, MimeMessage mail) =>
        mail.Headers.FirstOrDefault(h => h.Field.Equals("Received-SPF", StringComparison.OrdinalIgnoreCase)) is { } header
        && AuthenticationHeaders.ParseReceivedSpf(header.Value) is { } spf ? [spf] : [];

    protected override (MimeMessage Mail, string Recipient) Read(WebhookRequest request)
    {
        using var document = JsonPayload.Parse(request.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedWebhookException("body", "must be a JSON object");
        }
        var recipient = String(root, "OriginalRecipient") is { Length: > 0 } original ? original
            : Optional(root, "ToFull").Select(t => String(t, "Email")).FirstOrDefault(e => !string.IsNullOrEmpty(e))
              ?? throw new MalformedWebhookException("OriginalRecipient", "is required (or ToFull[0].Email)");
        if (String(root, "RawEmail") is { Length: > 0 } raw)
        {
            return (ParseMime(raw, "RawEmail"), recipient);
        }
        var from = Object(root, "FromFull") is { } full ? RequiredString(full, "Email", "FromFull") : RequiredString(root, "From", "$");
        var mail = EmptyMessage();
        // the addresses are parsed here, not by MailboxAddress's constructor, which throws on one it cannot read (found by make fuzz)
        if (!MailboxAddress.TryParse(from, out var sender))
        {
            throw new MalformedWebhookException(Object(root, "FromFull") is null ? "From" : "FromFull.Email", "is not an email address");
        }
        sender.Name = Object(root, "FromFull") is { } named ? String(named, "Name") : String(root, "FromName");
        mail.From.Add(sender);
        foreach (var to in Optional(root, "ToFull"))
        {
            if (String(to, "Email") is { Length: > 0 } address && MailboxAddress.TryParse(address, out var addressee))
            {
                addressee.Name = String(to, "Name");
                mail.To.Add(addressee);
            }
        }
        mail.Subject = String(root, "Subject") ?? "";
        if (String(root, "Date") is { Length: > 0 } date && DateUtils.TryParse(date, out var sent))
        {
            mail.Date = sent;
        }
        // Headers holds the rest of the original's headers (Message-ID, In-Reply-To, References, Auto-Submitted…).
        AddHeaders(mail, Optional(root, "Headers").Select(h => (String(h, "Name") ?? "", String(h, "Value") ?? "")).Where(h => h.Item1.Length > 0
            && !h.Item1.Equals("From", StringComparison.OrdinalIgnoreCase) && !h.Item1.Equals("To", StringComparison.OrdinalIgnoreCase)
            && !h.Item1.Equals("Subject", StringComparison.OrdinalIgnoreCase) && !h.Item1.Equals("Date", StringComparison.OrdinalIgnoreCase)));
        if (string.IsNullOrEmpty(mail.MessageId) && String(root, "MessageID") is { Length: > 0 } postmarkId)
        {
            mail.MessageId = $"{postmarkId}@inbound.postmarkapp.com";
        }
        var files = Optional(root, "Attachments").Select((a, i) =>
        {
            try
            {
                return (String(a, "Name"), String(a, "ContentType") ?? "application/octet-stream", Convert.FromBase64String(String(a, "Content") ?? ""));
            }
            catch (FormatException)
            {
                throw new MalformedWebhookException($"Attachments[{i}].Content", "is not base64");
            }
        }).ToList();
        mail.Body = Body(String(root, "TextBody"), String(root, "HtmlBody"), files);
        return (mail, recipient);
    }
}
