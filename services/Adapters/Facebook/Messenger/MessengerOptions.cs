using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>The Meta app and its Pages (section "Facebook"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class MessengerOptions
{
    public const string Section = "Facebook";

    /// <summary>Keys X-Hub-Signature-256 (App Dashboard → App settings → Basic → App secret).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>App secrets still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousAppSecrets { get; set; } = [];

    /// <summary>The token you type into the webhook configuration; Meta echoes it in the subscription handshake.</summary>
    [Required]
    public string VerifyToken { get; set; } = "";

    /// <summary>
    /// Page access tokens (pages_messaging) keyed by Page ID: Facebook__PageAccessTokens__106540352242922=EAAG...
    /// A reply is sent as the Page the customer wrote to; a Page without a token receives but cannot send.
    /// </summary>
    public Dictionary<string, string> PageAccessTokens { get; set; } = [];

    /// <summary>
    /// Send past the 24-hour standard messaging window with the HUMAN_AGENT tag (up to 7 days after the
    /// customer's last message). Needs the app's approved Human Agent permission; otherwise such replies fail.
    /// </summary>
    public bool HumanAgentTag { get; set; }

    /// <summary>
    /// What the User Profile API is asked for each new customer (Profiles section for how often). name and profile_pic come
    /// with pages_messaging; locale, timezone and gender need Meta's approval for them, and are refused without it.
    /// </summary>
    public string ProfileFields { get; set; } = "first_name,last_name,profile_pic";

    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com";

    public string GraphApiVersion { get; set; } = "v23.0";
}
