using Routing.Database;
using Routing.Observability;

namespace Routing.ServiceLevels;

/// <summary>What becomes of a sent reply routing heard of.</summary>
internal enum ReplyOutcome
{
    /// <summary>The conversation's first response: measured.</summary>
    FirstResponse,

    /// <summary>A later reply (or the same one again): the last reply moves on.</summary>
    Later,

    /// <summary>No agent wrote it (an auto-reply): not a response.</summary>
    NotAnAgent,

    NotFound,
}

/// <summary>
/// Agents' replies as their channels' adapters sent them: the first is the conversation's first response (measured once,
/// from the conversation's first message), the latest ends an idle conversation's handle time.
/// </summary>
internal sealed class AgentReplies(RoutingDb db, RoutingMetrics metrics)
{
    public async Task<ReplyOutcome> SentAsync(Guid conversationId, string? agentId, DateTimeOffset sentAt, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(agentId))
        {
            return ReplyOutcome.NotAnAgent;
        }
        await using var tx = await db.BeginAsync(ct);
        var recorded = await ServiceLevelStore.RecordReplyAsync(tx, conversationId, agentId, sentAt, ct);
        var outcome = recorded switch
        {
            null => ReplyOutcome.NotFound,
            { ByAgent: false } => ReplyOutcome.NotAnAgent,
            { EarlierResponseAt: null } => ReplyOutcome.FirstResponse,
            _ => ReplyOutcome.Later,
        };
        if (outcome == ReplyOutcome.FirstResponse)
        {
            tx.AfterCommit(() => metrics.FirstResponse(recorded!.Channel, recorded.Team, sentAt - AgentRow.Utc(recorded.CreatedAt)));
        }
        await tx.CommitAsync(ct);
        return outcome;
    }
}
