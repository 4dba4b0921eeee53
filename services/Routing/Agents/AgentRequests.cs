namespace Routing.Agents;

internal sealed record CreateAgentRequest(string? Id, string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept, string? Presence, string[]? Teams = null,
    string[]? Languages = null, string[]? Skills = null);

internal sealed record UpdateAgentRequest(string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept, string[]? Teams = null, string[]? Languages = null,
    string[]? Skills = null);

internal sealed record PresenceRequest(string? Status);
