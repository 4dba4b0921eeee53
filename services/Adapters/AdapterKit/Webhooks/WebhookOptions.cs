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

    /// <summary>Larger bodies are refused with 413 before they are read.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}
