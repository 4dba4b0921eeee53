namespace Routing.AgentGateway.Attachments;

/// <summary>
/// Gateway:Attachments: what customers send is fetched from the provider, kept here within a size limit for a retention
/// period, and opened by agents through the agent API or a signed link.
/// </summary>
internal sealed class AttachmentOptions
{
    public const string Section = "Gateway:Attachments";

    /// <summary>The largest file kept; a larger one is refused (the agent sees that, and the provider's reference is dropped).</summary>
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>How long a file is kept after it was fetched; the sweeper deletes it then (the message keeps its name and type).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a signed link in an agent's Slack message or mail opens the file.</summary>
    public TimeSpan ToolLinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a signed link the agent API hands out opens the file.</summary>
    public TimeSpan ApiLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long the link to a file an agent sends opens it for the channel's provider (Twilio, Meta fetch it after accepting
    /// the message) and the adapter (X, email): long enough for a reply that waits out an adapter's outage on its queue.
    /// </summary>
    public TimeSpan ProviderLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Where the gateway is reached by agents (links in events, Slack and mail); unset: Webhooks:PublicBaseUrl, else links are relative.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where files are kept: "postgres" (the gateway's database) or "filesystem" (<see cref="Directory"/>, a volume all replicas share).</summary>
    public string Store { get; set; } = "postgres";

    public string? Directory { get; set; }

    /// <summary>Fetch attempts before an attachment is given up as failed (the link then says so); they back off from 5 s to 30 min.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>clamd to scan every file before an agent can open it (host:port); unset: files are served unscanned, and say so.</summary>
    public string? ClamAv { get; set; }
}

/// <summary>
/// Gateway:Media: the providers' credentials the gateway fetches customers' media with (the same secrets the adapters
/// hold; in Kubernetes the same Secret objects).
/// </summary>
internal sealed class MediaOptions
{
    public const string Section = "Gateway:Media";

    public string TwilioApiBaseUrl { get; set; } = "https://api.twilio.com";
    public string? TwilioAccountSid { get; set; }
    public string? TwilioAuthToken { get; set; }

    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com";
    public string GraphApiVersion { get; set; } = "v21.0";
    public string? WhatsAppAccessToken { get; set; }

    /// <summary>Hosts Messenger's and Instagram's attachment links may point at (their CDNs); the Graph API base's host is added.</summary>
    public List<string> MessengerHosts { get; set; } = ["fbcdn.net", "fbsbx.com", "cdninstagram.com"];

    public string TelegramApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>The bot's token, the Telegram adapter's Telegram:BotToken: files customers send the bot are fetched with it.</summary>
    public string? TelegramBotToken { get; set; }

    public string TwitterApiBaseUrl { get; set; } = "https://api.x.com";
    public string? TwitterConsumerKey { get; set; }
    public string? TwitterConsumerSecret { get; set; }
    public string? TwitterAccessToken { get; set; }
    public string? TwitterAccessTokenSecret { get; set; }

    /// <summary>
    /// The key the email adapter signs its links to customers' attachments with (its Email:Files:Key): a link it did not
    /// sign is refused without a request; a signed one is fetched without credentials.
    /// </summary>
    public string? EmailFilesKey { get; set; }

    /// <summary>Hosts X's DM media links may point at; the API base's host is added.</summary>
    public List<string> TwitterMediaHosts { get; set; } = ["ton.twitter.com", "ton.x.com"];
}
