using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Outbound;

/// <summary>The provider API client's resilience (section "Outbound").</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>One HTTP attempt; a provider that hangs longer is abandoned, and the send's outcome is unknown.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opening the connection, within an attempt: shorter than <see cref="AttemptTimeout"/>, so that a connection that never
    /// opened (a provider's accept queue full, its address not answering) is a connection error, which surely sent nothing
    /// and is retried, rather than an attempt's timeout, whose outcome is unknown.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>All attempts of one send together, waits for Retry-After included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, for 429, 503 and connections that never opened, with jittered exponential backoff (Retry-After wins).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}
