namespace Routing.Identity;

internal sealed record NormalizedAddress(string Kind, string Value);
