using Routing.Adapters.Email.Files;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.Adapters.Webhooks;
using Routing.MailAuthentication;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// Mailgun inbound routes (forward() to POST /webhooks/email/mailgun), parsed or as MIME (body-mime).
/// Signed with "signature" = hex HMAC-SHA256 of timestamp + token keyed by the HTTP webhook signing key
/// (https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/); a timestamp outside
/// Email:Mailgun:MaxAge is refused as a replay. The signature does not cover the mail, so a captured one could carry
/// any other mail while fresh: its token travels as the message's delivery nonce, and routing refuses a second,
/// different mail under the same token, whichever replica took it. The sender's verdicts: X-Mailgun-Spf (for the
/// envelope sender, "sender") and X-Mailgun-Dkim-Check-Result, which names no domain, so it counts only for a mail
/// with a single DKIM-Signature (its d=); with several, a valid signature of one domain could vouch for another.
/// </summary>
internal sealed class MailgunWebhook(IOptions<EmailOptions> options, TimeProvider time, EmailMetrics metrics, ILogger<MailgunWebhook> logger, EmailFiles files)
    : EmailWebhook(options, metrics, logger, files)
{
    protected override string Provider => "mailgun";

    public override IReadOnlyCollection<string> MediaTypes { get; } = ["application/x-www-form-urlencoded", "multipart/form-data"]; // multipart when the mail has attachments

    public override SignatureCheck Verify(WebhookRequest request)
    {
        FormPayload form;
        try
        {
            form = FormPayload.Read(request);
        }
        catch (MalformedWebhookException)
        {
            return SignatureCheck.Missing;
        }
        if (form["signature"] is not { Length: > 0 } signature || form["timestamp"] is not { Length: > 0 } timestamp || form["token"] is not { Length: > 0 } token)
        {
            return SignatureCheck.Missing;
        }
        var config = Options.Mailgun;
        if (string.IsNullOrEmpty(config.SigningKey)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() // a date cannot hold it: no signature is checked, nothing throws
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > config.MaxAge)
        {
            return SignatureCheck.Invalid;
        }
        return ProviderSecrets.Verify(config.SigningKey, config.PreviousSigningKeys, key =>
        {
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token)));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant()))
                ? SignatureCheck.Valid : SignatureCheck.Invalid;
        });
    }

    protected override string? DeliveryNonce(WebhookRequest request) =>
        FormPayload.Read(request)["token"] is { Length: > 0 } token ? "mailgun:" + token : null;

    protected override IReadOnlyCollection<AuthenticationCheck> ProviderChecks(WebhookRequest request, MimeMessage mail)
    {
        var form = FormPayload.Read(request);
        var checks = new List<AuthenticationCheck>();
        if (form["X-Mailgun-Spf"] is { Length: > 0 } spf)
        {
            checks.Add(new AuthenticationCheck("spf", spf.Trim().ToLowerInvariant(), AuthenticationCheck.DomainOf(form["sender"])));
        }
        if (form["X-Mailgun-Dkim-Check-Result"] is { Length: > 0 } dkim)
        {
            var signatures = mail.Headers.Where(h => h.Field.Equals("DKIM-Signature", StringComparison.OrdinalIgnoreCase)).ToList();
            var domain = signatures.Count == 1 ? DkimDomain(signatures[0].Value) : null;
            checks.Add(new AuthenticationCheck("dkim", dkim.Trim().ToLowerInvariant(), domain));
        }
        return checks;
    }

    /// <summary>The d= tag of a DKIM-Signature ("v=1; a=rsa-sha256; d=example.org; s=s1; ...").</summary>
    private static string? DkimDomain(string signature) =>
        signature.Split(';').Select(tag => tag.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0].Trim() == "d")
            .Select(kv => AuthenticationCheck.DomainOf(kv[1])).FirstOrDefault();

    protected override (MimeMessage Mail, string Recipient) Read(WebhookRequest request)
    {
        var form = FormPayload.Read(request);
        var recipient = form["recipient"] is { Length: > 0 } to ? to.Split(',')[0] : throw new MalformedWebhookException("recipient", "is required");
        if (form["body-mime"] is { Length: > 0 } raw)
        {
            return (ParseMime(raw, "body-mime"), recipient);
        }
        var mail = EmptyMessage();
        if (form["message-headers"] is { Length: > 0 } headers)
        {
            AddHeaders(mail, Headers(headers));
        }
        else
        {
            AddHeaders(mail, new[] { "From", "To", "Subject", "Date", "Message-Id", "In-Reply-To", "References" }
                .Where(name => form[name] is { Length: > 0 }).Select(name => (name, form[name]!)));
        }
        if (mail.From.Count == 0 && form["from"] is { Length: > 0 } from && InternetAddressList.TryParse(from, out var parsed))
        {
            mail.From.AddRange(parsed);
        }
        mail.Body = Body(form["body-plain"], form["body-html"], form.Files.Select(f => (f.FileName, f.ContentType, f.Content)));
        return (mail, recipient);
    }

    /// <summary>message-headers: a JSON array of [name, value] pairs, in the mail's order.</summary>
    private static IEnumerable<(string, string)> Headers(string json)
    {
        using var document = JsonPayload.Parse(json, "message-headers");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new MalformedWebhookException("message-headers", "must be an array of [name, value] pairs");
        }
        return root.EnumerateArray()
            .Where(pair => pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                           && pair[0].ValueKind == JsonValueKind.String && pair[1].ValueKind == JsonValueKind.String)
            .Select(pair => (pair[0].GetString()!, pair[1].GetString()!)).ToList();
    }
}
