using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Webhooks;

/// <summary>The webhook pipeline's settings, shared by every adapter (section "Webhooks").</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// The scheme, host and any path prefix providers call, e.g. "https://hooks.example.com"; signatures
    /// that cover the URL are checked against it plus the request's path and query, never the Host header.
    /// </summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1";

    /// <summary>How long the broker may take to confirm a delivery's messages before the answer is 503 (the provider retries).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The spool for channels whose provider does not retry (section "Webhooks:Spool"; <see cref="WebhookSpool"/>).</summary>
    public SpoolOptions Spool { get; set; } = new();

    /// <summary>Larger bodies are refused with 413 before they are read.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>Where deliveries wait while the broker cannot confirm them (section "Webhooks:Spool").</summary>
public sealed class SpoolOptions
{
    /// <summary>A folder on a disk that outlives the process (a volume, not the container's layer); empty: no spool, the answer is 503.</summary>
    public string? Directory { get; set; }

    /// <summary>How long the broker may take to confirm before the delivery is spooled and answered 200 (X allows 3 s in all).</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How often the relay tries the broker again while deliveries wait.</summary>
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Beyond this many deliveries on disk, the answer is 503 again.</summary>
    [Range(1, 10_000_000)]
    public int MaxDeliveries { get; set; } = 100_000;
}
