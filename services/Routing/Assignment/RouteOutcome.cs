namespace Routing.Assignment;

internal sealed record RouteOutcome(string Status, string? AgentId, Guid DecisionId, string Reason);
