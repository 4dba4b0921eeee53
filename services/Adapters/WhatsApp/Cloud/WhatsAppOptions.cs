using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.WhatsApp.Cloud;

/// <summary>The Meta app and WhatsApp numbers (section "WhatsApp"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class WhatsAppOptions
{
    public const string Section = "WhatsApp";

    /// <summary>Keys X-Hub-Signature-256 (App Dashboard → App settings → Basic → App secret).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>App secrets still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousAppSecrets { get; set; } = [];

    /// <summary>The token you type into the webhook configuration; Meta echoes it in the subscription handshake.</summary>
    [Required]
    public string VerifyToken { get; set; } = "";

    /// <summary>A system user's access token with whatsapp_business_messaging; without it the adapter receives but cannot send.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Our numbers' Phone Number IDs (WhatsApp Manager → Phone numbers), keyed by the number's digits
    /// without '+': WhatsApp__PhoneNumberIds__15550783881=106540352242922. A reply is sent from the number the customer wrote to.
    /// </summary>
    public Dictionary<string, string> PhoneNumberIds { get; set; } = [];

    /// <summary>An approved template to send instead of text once the 24-hour customer service window has closed.</summary>
    public WhatsAppTemplateOptions? ReengagementTemplate { get; set; }

    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com";

    public string GraphApiVersion { get; set; } = "v23.0";
}

internal sealed class WhatsAppTemplateOptions
{
    public string? Name { get; set; }

    /// <summary>The template's language code, e.g. en_US.</summary>
    public string Language { get; set; } = "en_US";

    /// <summary>
    /// Pass the agent's text as the body's only parameter ({{1}}), e.g. a template "We have a reply for you: {{1}}".
    /// Line breaks become spaces, as Meta refuses them in parameters. Otherwise the template is sent as it is.
    /// </summary>
    public bool TextAsParameter { get; set; } = true;
}
