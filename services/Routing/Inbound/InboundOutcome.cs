namespace Routing.Inbound;

internal sealed record InboundOutcome(Guid CustomerId, Guid ConversationId, string Status, string? AgentId, bool Duplicate);
