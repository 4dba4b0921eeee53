using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>The X app and the accounts it serves (section "Twitter"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class TwitterOptions
{
    public const string Section = "Twitter";

    /// <summary>The app's API key (consumer key), Developer Portal → Keys and tokens.</summary>
    [Required]
    public string ConsumerKey { get; set; } = "";

    /// <summary>The app's API key secret: keys the CRC answer, x-twitter-webhooks-signature and every OAuth 1.0a signature.</summary>
    [Required]
    public string ConsumerSecret { get; set; } = "";

    /// <summary>Consumer secrets still accepted while the provider switches to a new one (rotation without refusing deliveries); remove them after.</summary>
    public List<string> PreviousConsumerSecrets { get; set; } = [];

    /// <summary>
    /// The subscribed accounts' user access tokens (dm.write), keyed by the account's user id:
    /// Twitter__Accounts__1346889436626259968__AccessToken=..., Twitter__Accounts__1346889436626259968__AccessTokenSecret=...
    /// An account without tokens receives DMs but cannot answer.
    /// </summary>
    public Dictionary<string, TwitterAccount> Accounts { get; set; } = [];

    public string ApiBaseUrl { get; set; } = "https://api.x.com";

    /// <summary>
    /// How long a send may wait for X's rate-limit window to reset (x-rate-limit-reset) before it is retried;
    /// a later reset fails the send as transient. Keep it under RabbitMQ's consumer timeout (30 minutes by default).
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Consecutive sends refused with 401, 403 or 429 after which the channel reports itself degraded.</summary>
    [Range(1, 1000)]
    public int DegradedAfter { get; set; } = 5;
}

internal sealed class TwitterAccount
{
    public string AccessToken { get; set; } = "";

    public string AccessTokenSecret { get; set; } = "";
}
