using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Outbound;

/// <summary>The provider API client's resilience (section "Outbound").</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>One HTTP attempt; a provider that hangs longer is abandoned, and the send's outcome is unknown.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>All attempts of one send together, waits for Retry-After included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, for 429, 503 and connections that never opened, with jittered exponential backoff (Retry-After wins).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}
