namespace Routing.Agents;

internal sealed record CreateAgentRequest(string? Id, string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept, string? Presence);

internal sealed record UpdateAgentRequest(string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept);

internal sealed record PresenceRequest(string? Status);
