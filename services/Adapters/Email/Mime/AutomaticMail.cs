using System.Text.RegularExpressions;
using MimeKit;

namespace Routing.Adapters.Email.Mime;

/// <summary>
/// Mail that no person wrote: bounces (a delivery-status report, RFC 3464, or mail from MAILER-DAEMON /
/// postmaster) and automatic replies (Auto-Submitted other than "no", RFC 3834; X-Autoreply and X-Autorespond;
/// Precedence bulk, junk or list; Exchange's X-Auto-Response-Suppress on a generated message; out-of-office
/// subjects). Such mail never opens a conversation: answering it could start a mail loop.
/// </summary>
internal static partial class AutomaticMail
{
    public const string Bounce = "bounce";

    /// <summary>Why this mail is not a customer's, or null when it is.</summary>
    public static string? Reason(MimeMessage mail)
    {
        if (IsDeliveryReport(mail) || mail.From.Mailboxes.Any(m => m.LocalPart.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase)
                                                                 || m.LocalPart.Equals("postmaster", StringComparison.OrdinalIgnoreCase)))
        {
            return Bounce;
        }
        if (mail.Headers[HeaderId.AutoSubmitted] is { Length: > 0 } submitted && !submitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return $"auto-submitted: {submitted.Trim()}";
        }
        if (mail.Headers.Contains("X-Autoreply") || mail.Headers.Contains("X-Autorespond") || mail.Headers.Contains("X-Autoresponder"))
        {
            return "auto-reply header";
        }
        if (mail.Headers[HeaderId.Precedence] is { Length: > 0 } precedence
            && precedence.Trim().ToLowerInvariant() is "bulk" or "junk" or "list" or "auto_reply")
        {
            return $"precedence: {precedence.Trim().ToLowerInvariant()}";
        }
        if (mail.Subject is { Length: > 0 } subject && OutOfOffice().IsMatch(subject))
        {
            return "out-of-office";
        }
        return null;
    }

    public static bool IsDeliveryReport(MimeMessage mail) =>
        mail.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^\s*(Out of (the )?Office|Automatic reply|Auto(matic)?[- ]?(reply|response)|Autosvar|Abwesenheitsnotiz|Automatische Antwort|Réponse automatique|Risposta automatica|Respuesta automática|Fuera de la oficina)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfOffice();
}
