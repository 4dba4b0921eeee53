using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Sms.Twilio;

/// <summary>The Twilio account (section "Twilio"); the auth token comes from a secret, never from a committed file.</summary>
internal sealed class TwilioOptions
{
    public const string Section = "Twilio";

    /// <summary>Keys the X-Twilio-Signature HMAC of every webhook.</summary>
    [Required]
    public string AuthToken { get; set; } = "";
}
