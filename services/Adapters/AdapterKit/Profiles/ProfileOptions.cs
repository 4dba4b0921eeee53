using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Profiles;

/// <summary>Customers' profile lookups (section "Profiles").</summary>
public sealed class ProfileOptions
{
    public const string Section = "Profiles";

    /// <summary>Look senders up at all; off, customers are named only by what the webhooks carry.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a profile found is not looked up again for the same address (names and pictures change slowly; Meta's picture links expire).</summary>
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long after a lookup that found nothing, was refused or failed the address is tried again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lookups per second at most, for this replica (Meta's and X's limits are per app and per account).</summary>
    [Range(0.01, 1000)]
    public double RequestsPerSecond { get; set; } = 5;

    /// <summary>Lookups waiting at most; more are dropped (and done at the person's next message).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Addresses whose last lookup this replica remembers at most (then the oldest are forgotten and looked up again).</summary>
    [Range(1, 10_000_000)]
    public int RememberedAddresses { get; set; } = 200_000;

    /// <summary>Retries of a lookup the provider answered 429 or 5xx, or that timed out (Retry-After wins over the backoff).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
}
