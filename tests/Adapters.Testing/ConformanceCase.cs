using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Testing;

/// <summary>
/// One provider delivery, byte-exact, and what the adapter must make of it: a signature verdict, then
/// either the normalized messages and statuses or the field a 400 names. <see cref="Source"/> says
/// where the payload's shape comes from (provider documentation, SDK test suites).
/// </summary>
public sealed record ConformanceCase
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public required string ContentType { get; init; }
    public required string Body { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public SignatureCheck Signature { get; init; } = SignatureCheck.Valid;

    /// <summary>When set, parsing must fail naming this field (the endpoint answers 400).</summary>
    public string? MalformedField { get; init; }

    /// <summary>The items of a batch the parser must leave out as malformed (by field), the rest being published.</summary>
    public IReadOnlyList<string> SkippedFields { get; init; } = [];

    public IReadOnlyList<InboundMessageReceived> Messages { get; init; } = [];
    public IReadOnlyList<DeliveryStatusChanged> Statuses { get; init; } = [];

    /// <summary>This signed case with one change in its body, so its signature no longer matches: 403, nothing published.</summary>
    public ConformanceCase Tampered(string name, string original, string replacement)
    {
        var body = Body.Replace(original, replacement, StringComparison.Ordinal);
        if (body == Body)
        {
            throw new ArgumentException($"'{original}' does not occur in the body of '{Name}': the tampered case would not be tampered.", nameof(original));
        }
        return this with { Name = name, Body = body, Signature = SignatureCheck.Invalid, MalformedField = null, Messages = [], Statuses = [] };
    }

    /// <summary>This case without its headers, the provider's signature among them: 401, nothing published.</summary>
    public ConformanceCase Unsigned(string name) =>
        this with { Name = name, Headers = new Dictionary<string, string>(), Signature = SignatureCheck.Missing, MalformedField = null, Messages = [], Statuses = [] };

    public override string ToString() => Name;
}
