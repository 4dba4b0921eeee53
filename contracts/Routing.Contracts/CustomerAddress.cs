namespace Routing.Contracts;

/// <summary>Where a customer wrote from: (kind, value) names one person; the display name is informational.</summary>
public sealed record CustomerAddress
{
    /// <summary>email, phone, facebook, twitter, or any kind a future adapter brings.</summary>
    public required string Kind { get; init; }

    /// <summary>The address as the provider gave it; routing normalises it (E.164, lower-cased email).</summary>
    public required string Value { get; init; }

    public string? DisplayName { get; init; }
}
