using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Instagram.Direct;

/// <summary>
/// The Meta app and its Instagram professional accounts (section "Instagram"), through the Messenger Platform for
/// Instagram; secrets come from the environment or Kubernetes Secrets.
/// </summary>
internal sealed class InstagramOptions
{
    public const string Section = "Instagram";

    /// <summary>Keys X-Hub-Signature-256 (App Dashboard → App settings → Basic → App secret).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>App secrets still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousAppSecrets { get; set; } = [];

    /// <summary>The token you type into the webhook configuration; Meta echoes it in the subscription handshake.</summary>
    [Required]
    public string VerifyToken { get; set; } = "";

    /// <summary>
    /// Access tokens keyed by Instagram professional account ID (the webhook's recipient): the token of the Facebook Page
    /// linked to the account (instagram_manage_messages), Instagram__AccessTokens__17841405309211844=EAAG... An account
    /// without a token receives but cannot send.
    /// </summary>
    public Dictionary<string, string> AccessTokens { get; set; } = [];

    /// <summary>
    /// Send past the 24-hour standard messaging window with the HUMAN_AGENT tag (up to 7 days after the customer's last
    /// message). Needs the app's approved Human Agent permission; otherwise such replies fail.
    /// </summary>
    public bool HumanAgentTag { get; set; }

    /// <summary>What the User Profile API is asked for each new customer (Profiles section for how often).</summary>
    public string ProfileFields { get; set; } = "name,username,profile_pic";

    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com";

    public string GraphApiVersion { get; set; } = "v23.0";
}
