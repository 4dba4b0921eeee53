using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Routing.Conversations;
using Routing.Database;
using Routing.Timers;

namespace Routing.Testing;

/// <summary>
/// Plays timed events through the live routing service (its logic in process, on PostgreSQL, on a fake clock) together
/// with what they set off, in time order: holds expiring (the timers' sweep at their instant), and each conversation
/// closing once its agent has handled it for its handle time. What the simulator does in memory, done by the service.
/// </summary>
internal sealed class LiveDriver(IServiceProvider services, FakeTimeProvider clock, Func<Guid, TimeSpan> handleOf)
{
    private readonly Dictionary<Guid, DateTimeOffset> _closeAt = [];
    private readonly HashSet<Guid> _scheduled = [];
    private readonly TimerSweeper _sweeper = services.GetRequiredService<TimerSweeper>();
    private readonly ConversationCommands _commands = services.GetRequiredService<ConversationCommands>();
    private readonly RoutingDb _db = services.GetRequiredService<RoutingDb>();
    private DateTimeOffset _assignedSince = DateTimeOffset.MinValue;

    /// <summary>Script events, closes and hold expiries played so far.</summary>
    public int Steps { get; private set; }

    public async Task DriveAsync(DateTimeOffset until, IReadOnlyList<(DateTimeOffset At, Func<Task> Do)> script)
    {
        var next = 0;
        while (true)
        {
            await ScheduleClosesAsync();
            var due = new[]
            {
                next < script.Count ? script[next].At : (DateTimeOffset?)null,
                _closeAt.Count > 0 ? _closeAt.Values.Min() : null,
                await NextHoldAsync(),
            }.Where(t => t is not null && t < until).Min();
            if (due is not { } at)
            {
                break;
            }
            // closes of conversations served before the driver started may be overdue: they are played now
            at = at > clock.GetUtcNow() ? at : clock.GetUtcNow();
            clock.Advance(at - clock.GetUtcNow());
            await _sweeper.SweepOnceAsync(CancellationToken.None);
            Steps++;
            foreach (var (conversation, _) in _closeAt.Where(c => c.Value <= at).OrderBy(c => c.Value).ToList())
            {
                _closeAt.Remove(conversation);
                await _commands.CloseAsync(conversation, "driver", null, messagesSeen: null, CancellationToken.None);
                Steps++;
            }
            while (next < script.Count && script[next].At <= at)
            {
                await script[next++].Do();
                await _sweeper.SweepOnceAsync(CancellationToken.None); // a hold whose agents all went offline ends at once
                Steps++;
            }
        }
        clock.Advance(until - clock.GetUtcNow());
    }

    /// <summary>Every conversation newly with an agent closes after its handle time from its assignment.</summary>
    private async Task ScheduleClosesAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        var open = await connection.QueryAsync<(Guid Id, DateTime AssignedAt)>(
            "select id, assigned_at from conversations where status = 'open' and assigned_at >= @since order by id", new { since = _assignedSince });
        foreach (var (id, assignedAt) in open)
        {
            if (_scheduled.Add(id))
            {
                _closeAt[id] = new DateTimeOffset(DateTime.SpecifyKind(assignedAt, DateTimeKind.Utc)) + handleOf(id);
            }
        }
        _assignedSince = clock.GetUtcNow();
    }

    private async Task<DateTimeOffset?> NextHoldAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        var due = await connection.QuerySingleOrDefaultAsync<DateTime?>("select min(due_at) from timers where kind = 'hold'");
        return due is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null;
    }
}
