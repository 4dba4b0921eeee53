using Routing.Assignment;
using Routing.Contracts;
using Microsoft.Extensions.Options;
using Routing.Database;

namespace Routing.Agents;

/// <summary>Agent changes that free or take away slots: every freed slot is filled at once (rule 5).</summary>
internal sealed class AgentService(RoutingDb db, ConversationLifecycle lifecycle, IOptions<RoutingOptions> options)
{
    public async Task<AgentRow?> CreateAsync(AgentRow agent, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var row = agent with { PresenceChangedAt = tx.Now.UtcDateTime, CreatedAt = tx.Now.UtcDateTime, UpdatedAt = tx.Now.UtcDateTime };
        if (!await AgentStore.InsertAsync(tx, row, ct))
        {
            return null;
        }
        await lifecycle.DrainAsync(tx, agent.Id, ct);
        var created = await AgentStore.GetAsync(tx, agent.Id, ct);
        await tx.CommitAsync(ct);
        return created;
    }

    public async Task<AgentRow?> UpdateAsync(string id, AgentChanges changes, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var row = await AgentStore.UpdateAsync(tx, id, changes, ct);
        if (row is null)
        {
            return null;
        }
        await lifecycle.DrainAsync(tx, id, ct);
        row = await AgentStore.GetAsync(tx, id, ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>
    /// available: cancel the offline grace timer and fill free slots. offline: start the grace timer
    /// (rule 1). A change older than the recorded one (a late message) is ignored.
    /// </summary>
    public async Task<(bool Found, AgentRow? Agent)> SetPresenceAsync(string id, string presence, DateTimeOffset? changedAt, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var at = changedAt is { } c && c < tx.Now ? c : tx.Now;
        var row = await AgentStore.SetPresenceAsync(tx, id, presence, at, ct);
        if (row is null)
        {
            var existing = await AgentStore.GetAsync(tx, id, ct);
            await tx.CommitAsync(ct);
            return (existing is not null, existing);
        }
        if (presence == AgentPresences.Offline)
        {
            await TimerStore.ScheduleGraceAsync(tx, id, at + options.Value.OfflineGrace, ct);
        }
        else
        {
            await TimerStore.CancelGraceAsync(tx, id, ct);
        }
        if (presence == AgentPresences.Available)
        {
            await lifecycle.DrainAsync(tx, id, ct);
            row = await AgentStore.GetAsync(tx, id, ct);
        }
        await tx.CommitAsync(ct);
        return (true, row);
    }
}
