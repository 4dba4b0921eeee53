using Routing.ServiceDefaults;
using Routing.Assignment;
using Routing.Contracts;
using Microsoft.Extensions.Options;
using Routing.Database;
using Routing.Observability;
using Routing.Policy;

namespace Routing.Timers;

/// <summary>
/// Runs on every replica: fires due timers (each claimed with SKIP LOCKED, fired in its own
/// transaction), fills free slots that have work waiting, and samples the queue for the metrics.
/// </summary>
internal sealed class TimerSweeper(
    RoutingDb db, AgentChooser chooser, ConversationLifecycle lifecycle, TransferMoves transfers, RoutingMetrics metrics, TimeProvider time,
    IOptions<RoutingOptions> options, ILogger<TimerSweeper> logger) : PeriodicWork(time, logger)
{
    private const int MaxTimersPerSweep = 500;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task RunOnceAsync(CancellationToken ct) => SweepOnceAsync(ct);

    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var fired = 0;
        while (fired < MaxTimersPerSweep)
        {
            await using var tx = await db.BeginAsync(ct);
            var timer = await TimerStore.ClaimDueAsync(tx, ct);
            if (timer is null)
            {
                await tx.CommitAsync(ct);
                break;
            }
            await FireAsync(tx, timer, ct);
            await tx.CommitAsync(ct);
            fired++;
        }

        await EndHoldsForNoOneAsync(ct);
        await CloseIdleAsync(ct);
        await FillFreeSlotsAsync(ct);

        await using (var tx = await db.BeginAsync(ct))
        {
            metrics.Sample(
                await ConversationStore.CountAsync(tx, ConversationStatus.Queued, ct),
                await ConversationStore.CountAsync(tx, ConversationStatus.Held, ct));
            await tx.CommitAsync(ct);
        }
        return fired;
    }

    private async Task FireAsync(RoutingTransaction tx, DueTimer timer, CancellationToken ct)
    {
        switch (timer.Kind)
        {
            case TimerKinds.Hold when timer.ConversationId is { } id:
                var held = await ConversationStore.GetAsync(tx, id, ct, forUpdate: true);
                if (held is { Status: ConversationStatus.Held })
                {
                    await chooser.RouteAsync(tx, held, RoutingTriggers.HoldExpired, ct);
                }
                break;

            case TimerKinds.Offer when timer.ConversationId is { } id:
                var offered = await ConversationStore.GetAsync(tx, id, ct, forUpdate: true);
                if (offered is { Status: ConversationStatus.Open, AcceptedAt: null, AgentId: not null })
                {
                    await lifecycle.ReleaseAsync(tx, offered, RoutingTriggers.OfferExpired, exclude: true, ct);
                }
                break;

            case TimerKinds.Relax when timer.ConversationId is { } id:
                var waiting = await ConversationStore.GetAsync(tx, id, ct, forUpdate: true);
                if (waiting is { Status: ConversationStatus.Queued })
                {
                    await chooser.RouteAsync(tx, waiting, RoutingTriggers.RequirementsRelaxed, ct);
                }
                break;

            case TimerKinds.Overflow when timer.ConversationId is { } id:
                if (await ConversationStore.GetAsync(tx, id, ct, forUpdate: true) is { } overflowing)
                {
                    await lifecycle.OverflowAsync(tx, overflowing, ct);
                }
                break;

            case TimerKinds.Transfer when timer.ConversationId is { } id:
                await transfers.ExpireAsync(tx, id, ct);
                break;

            case TimerKinds.Grace when timer.AgentId is { } agentId:
                var agent = await AgentStore.GetAsync(tx, agentId, ct);
                if (agent is null || agent.Presence != AgentPresences.Offline)
                {
                    break;
                }
                var snapshot = agent.ToSnapshot();
                if (!RoutingPolicy.ShouldRelease(snapshot, tx.Now, options.Value.OfflineGrace))
                {
                    await TimerStore.ScheduleGraceAsync(tx, agentId, snapshot.PresenceChangedAt + options.Value.OfflineGrace, ct);
                    break;
                }
                foreach (var conversation in await ConversationStore.OpenForAgentAsync(tx, agentId, ct))
                {
                    await lifecycle.ReleaseAsync(tx, conversation, RoutingTriggers.OfflineGrace, exclude: false, ct);
                }
                break;
        }
    }

    /// <summary>
    /// Holds whose agents all went offline (or stopped serving the channel) end now, not when the hold would have: checked
    /// every sweep rather than on each presence change, so a hold started concurrently with the change is caught too.
    /// </summary>
    private async Task EndHoldsForNoOneAsync(CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        foreach (var held in await ConversationStore.HeldForNoOneAsync(tx, MaxTimersPerSweep, ct))
        {
            await lifecycle.EndHoldAsync(tx, held, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Open conversations whose customer went silent for the channel's idle time are closed; each freed slot is filled.</summary>
    private async Task CloseIdleAsync(CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        foreach (var idle in await ConversationStore.IdleAsync(tx, options.Value.IdleClose, options.Value.DefaultIdleClose, MaxTimersPerSweep, ct))
        {
            await lifecycle.CloseAsync(tx, idle, ConversationLifecycle.ClosedByRouting, CloseReasons.Idle, ct);
        }
        await tx.CommitAsync(ct);
    }

    private async Task FillFreeSlotsAsync(CancellationToken ct)
    {
        IReadOnlyList<string> agents;
        await using (var tx = await db.BeginAsync(ct))
        {
            agents = await AgentStore.IdleWithWorkWaitingAsync(tx, 50, ct);
            await tx.CommitAsync(ct);
        }
        foreach (var agentId in agents)
        {
            await using var tx = await db.BeginAsync(ct);
            await lifecycle.DrainAsync(tx, agentId, ct);
            await tx.CommitAsync(ct);
        }
    }
}
