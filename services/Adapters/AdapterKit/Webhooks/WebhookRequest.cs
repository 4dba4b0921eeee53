using Microsoft.Extensions.Primitives;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// A provider's webhook request as received: the exact body bytes (signatures are computed over
/// them), the headers, and the URL the provider called, rebuilt from the configured public base URL
/// because ingresses and proxies rewrite hosts and schemes.
/// </summary>
public sealed record WebhookRequest(byte[] Body, IReadOnlyDictionary<string, StringValues> Headers, string PublicUrl, string? ContentType)
{
    /// <summary>
    /// The header's value; null when it is absent or sent more than once (a signature header twice is a trick, not a
    /// provider: which one would count is exactly what an attacker wants to choose).
    /// </summary>
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
}
