using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.WhatsApp.Cloud;

/// <summary>The Meta app and WhatsApp number (section "WhatsApp"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class WhatsAppOptions
{
    public const string Section = "WhatsApp";

    /// <summary>Keys X-Hub-Signature-256 (App Dashboard → App settings → Basic → App secret).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>The token you type into the webhook configuration; Meta echoes it in the subscription handshake.</summary>
    [Required]
    public string VerifyToken { get; set; } = "";
}
