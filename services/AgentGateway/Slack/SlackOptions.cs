using System.ComponentModel.DataAnnotations;

namespace Routing.AgentGateway.Slack;

/// <summary>
/// The Slack app agents receive conversations through (section "Gateway:Slack"). Off until BotToken is set; its
/// Events API and interactivity requests are refused until SigningSecret is set.
/// </summary>
internal sealed class SlackOptions
{
    public const string Section = "Gateway:Slack";

    /// <summary>The app's bot token (xoxb-…), with chat:write, reactions:write and im:history (and channels:history for channel targets).</summary>
    public string? BotToken { get; set; }

    /// <summary>The app's signing secret: every Events API and interactivity request must carry its v0 signature.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Signing secrets still accepted while Slack switches to a regenerated one (rotation without refusing requests); remove them after.</summary>
    public List<string> PreviousSigningSecrets { get; set; } = [];

    /// <summary>Slack's Web API; another base only for a local imitation of it.</summary>
    [Required]
    public Uri ApiUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>How far a request's X-Slack-Request-Timestamp may be from now (Slack suggests five minutes).</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One Web API call; a slower answer has failed it (and is tried again).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrEmpty(BotToken);
}
