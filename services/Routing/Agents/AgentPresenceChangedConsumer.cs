using Routing.Messaging;
using MassTransit;
using Routing.Contracts;

namespace Routing.Agents;

internal sealed class AgentPresenceChangedConsumer(AgentService agents, ILogger<AgentPresenceChangedConsumer> logger) : IConsumer<AgentPresenceChanged>
{
    public async Task Consume(ConsumeContext<AgentPresenceChanged> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.AgentId))
        {
            throw new InvalidMessageException("agentId", "is required");
        }
        if (!AgentPresences.IsValid(m.Status))
        {
            throw new InvalidMessageException("status", $"'{m.Status}' is not available, away or offline");
        }
        var (found, _) = await agents.SetPresenceAsync(m.AgentId, m.Status, m.ChangedAt, context.CancellationToken);
        if (!found)
        {
            throw new InvalidMessageException("agentId", $"agent '{m.AgentId}' does not exist");
        }
        logger.LogInformation("Agent {AgentId} is {Presence}", m.AgentId, m.Status);
    }
}
