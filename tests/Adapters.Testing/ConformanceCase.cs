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

    public IReadOnlyList<InboundMessageReceived> Messages { get; init; } = [];
    public IReadOnlyList<DeliveryStatusChanged> Statuses { get; init; } = [];

    public override string ToString() => Name;
}
