using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Sms.Twilio;

/// <summary>The Twilio account (section "Twilio"); the auth token comes from a secret, never from a committed file.</summary>
internal sealed class TwilioOptions
{
    public const string Section = "Twilio";

    /// <summary>Keys the X-Twilio-Signature HMAC of every webhook, and authenticates our API calls with <see cref="AccountSid"/>.</summary>
    [Required]
    public string AuthToken { get; set; } = "";

    /// <summary>Auth tokens still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousAuthTokens { get; set; } = [];

    /// <summary>The account that sends (AC…); required to send.</summary>
    public string AccountSid { get; set; } = "";

    /// <summary>The Messages API's base; tests point it at a local imitation.</summary>
    [Required, Url]
    public string ApiBaseUrl { get; set; } = "https://api.twilio.com";
}
