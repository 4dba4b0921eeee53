namespace Routing.Addresses;

/// <summary>A customer address in its one spelling (<see cref="AddressNormalizer"/>).</summary>
public sealed record NormalizedAddress(string Kind, string Value);
