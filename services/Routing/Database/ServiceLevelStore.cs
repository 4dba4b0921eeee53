using Dapper;

namespace Routing.Database;

/// <summary>
/// The facts service levels are measured on, kept on each conversation: the agent replies its channel sent, and the report
/// over the conversations that started in a period.
/// </summary>
internal static class ServiceLevelStore
{
    /// <summary>
    /// Records a reply its channel's adapter sent: the earliest an agent wrote is the conversation's first response, the
    /// latest its last reply; the same reply again changes nothing. Replies no agent wrote (an auto-reply) are not kept.
    /// Null: no such conversation.
    /// </summary>
    public static Task<ReplyRecorded?> RecordReplyAsync(RoutingTransaction tx, Guid conversationId, string agentId, DateTimeOffset sentAt, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<ReplyRecorded>(tx.Command(
            """
            with conversation as (
                select id, first_response_at, created_at, channel, team from conversations where id = @conversationId for update),
            agent as (select exists (select 1 from agents where id = @agentId) as known),
            recorded as (
                update conversations c
                set first_response_at = least(coalesce(c.first_response_at, @sentAt), @sentAt),
                    last_reply_at = greatest(coalesce(c.last_reply_at, @sentAt), @sentAt)
                from conversation, agent where c.id = conversation.id and agent.known)
            select agent.known as by_agent, conversation.first_response_at as earlier_response_at, conversation.created_at,
                   conversation.channel, conversation.team
            from conversation, agent
            """, new { conversationId, agentId, sentAt }, ct));

    /// <summary>
    /// The service levels of the conversations that started in [<paramref name="from"/>, <paramref name="to"/>), per team and
    /// channel and in total, computed from every conversation (percentiles interpolated, not estimated from buckets).
    /// Conversations a merge absorbed are left out: their customer's conversation goes on in the survivor's.
    /// </summary>
    public static async Task<IReadOnlyList<ServiceLevelRow>> ReportAsync(RoutingTransaction tx, DateTimeOffset from, DateTimeOffset to, string? team,
        string? channel, IReadOnlyDictionary<string, TimeSpan> targets, TimeSpan defaultTarget, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ServiceLevelRow>(tx.Command(
            """
            with measured as (
                select c.team, c.channel, c.status, c.preferred_hit,
                       c.first_assigned_at is not null as assigned, c.first_response_at is not null as answered,
                       extract(epoch from c.first_assigned_at - c.created_at)::float8 as in_queue,
                       extract(epoch from c.first_response_at - c.created_at)::float8 as first_response,
                       case when c.status = 'closed' then c.handle_seconds end as handled,
                       extract(epoch from coalesce(c.closed_at, @now) - c.created_at)::float8 as age,
                       extract(epoch from coalesce((select t.target from unnest(@channels::text[], @targets::interval[]) as t(channel, target)
                                                    where t.channel = lower(c.channel)), @defaultTarget))::float8 as target
                from conversations c
                where c.created_at >= @from and c.created_at < @to and c.close_reason is distinct from 'merged'
                  and (@team::text is null or c.team = @team) and (@channel::text is null or c.channel = @channel))
            select grouping(team, channel) <> 0 as total, team, channel,
                   count(*) as conversations,
                   count(*) filter (where status in ('queued', 'held')) as waiting,
                   count(*) filter (where assigned) as assigned,
                   count(*) filter (where status = 'closed' and not assigned) as abandoned,
                   count(*) filter (where answered) as answered,
                   count(*) filter (where status = 'closed' and assigned and not answered) as unanswered,
                   avg(in_queue) as in_queue_average, percentile_cont(0.5) within group (order by in_queue) as in_queue_p50,
                   percentile_cont(0.9) within group (order by in_queue) as in_queue_p90, percentile_cont(0.99) within group (order by in_queue) as in_queue_p99,
                   avg(first_response) as first_response_average, percentile_cont(0.5) within group (order by first_response) as first_response_p50,
                   percentile_cont(0.9) within group (order by first_response) as first_response_p90,
                   percentile_cont(0.99) within group (order by first_response) as first_response_p99,
                   count(handled) as handled, avg(handled) as handle_average, percentile_cont(0.5) within group (order by handled) as handle_p50,
                   percentile_cont(0.9) within group (order by handled) as handle_p90, percentile_cont(0.99) within group (order by handled) as handle_p99,
                   case when count(distinct target) = 1 then min(target) end as target_seconds,
                   count(*) filter (where answered and first_response <= target) as met,
                   count(*) filter (where (answered and first_response > target) or (not answered and age > target)) as missed,
                   count(preferred_hit) as preferred_eligible, count(*) filter (where preferred_hit) as preferred_hits
            from measured
            group by grouping sets ((team, channel), ())
            order by total, team nulls first, channel
            """,
            new
            {
                from, to, team, channel, now = tx.Now, defaultTarget,
                channels = targets.Keys.Select(k => k.ToLowerInvariant()).ToArray(),
                targets = targets.Values.ToArray(),
            }, ct))).ToList();
}

/// <summary>What recording a sent reply found: whether an agent wrote it, and the conversation's first response before it.</summary>
internal sealed record ReplyRecorded
{
    public bool ByAgent { get; init; }
    public DateTime? EarlierResponseAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public string Channel { get; init; } = "";
    public string? Team { get; init; }
}

/// <summary>One row of the service-level report: a team and channel, or the total (<see cref="Total"/>).</summary>
internal sealed record ServiceLevelRow
{
    public bool Total { get; init; }
    public string? Team { get; init; }
    public string? Channel { get; init; }
    public long Conversations { get; init; }
    public long Waiting { get; init; }
    public long Assigned { get; init; }
    public long Abandoned { get; init; }
    public long Answered { get; init; }
    public long Unanswered { get; init; }
    public double? InQueueAverage { get; init; }
    public double? InQueueP50 { get; init; }
    public double? InQueueP90 { get; init; }
    public double? InQueueP99 { get; init; }
    public double? FirstResponseAverage { get; init; }
    public double? FirstResponseP50 { get; init; }
    public double? FirstResponseP90 { get; init; }
    public double? FirstResponseP99 { get; init; }
    public long Handled { get; init; }
    public double? HandleAverage { get; init; }
    public double? HandleP50 { get; init; }
    public double? HandleP90 { get; init; }
    public double? HandleP99 { get; init; }
    public double? TargetSeconds { get; init; }
    public long Met { get; init; }
    public long Missed { get; init; }
    public long PreferredEligible { get; init; }
    public long PreferredHits { get; init; }
}
