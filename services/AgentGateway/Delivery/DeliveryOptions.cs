using System.ComponentModel.DataAnnotations;

namespace Routing.AgentGateway.Delivery;

/// <summary>Webhook delivery (section "Gateway:Delivery").</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Gateway:Delivery";

    /// <summary>Attempts in all, the first included; then the delivery is exhausted (listed, replayable).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>The wait after the first failure; it doubles per attempt (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>One attempt; a receiver that takes longer has failed it.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a claimed delivery belongs to the replica that claimed it. A replica that dies mid-attempt leaves it
    /// to be claimed again after this; must exceed <see cref="AttemptTimeout"/>.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often replicas look for due deliveries when none were found.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Allow targets on loopback, private and link-local networks (never cloud metadata): local development and tests only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Allow plain http targets: local development and tests only.</summary>
    public bool AllowHttp { get; set; }
}
