using Dapper;
using Npgsql;
using Routing.Outbox;
using Routing.Policy;
using Routing.ServiceDefaults;
using System.Text.Json;

namespace Routing.Database;

/// <summary>
/// One routing transaction at one instant (<see cref="Now"/>, read once from the injected clock).
/// Events given to <see cref="Publish{T}"/> are written to the outbox in the same transaction, so a
/// crash between commit and publish loses nothing; the dispatcher publishes them after commit.
/// Receipts given to <see cref="RecordDecision"/> are written with them: nothing in a transaction
/// reads the receipts it writes, so both go to the database in the commit's round trip, and so do the preferred-agent
/// outcomes given to <see cref="RecordPreferredHit"/>.
/// </summary>
internal sealed class RoutingTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, OutboxSignal signal) : IAsyncDisposable
{
    private readonly List<OutboxMessage> _outbox = [];
    private readonly List<PendingDecision> _decisions = [];
    private readonly List<Action> _afterCommit = [];
    private readonly Dictionary<Guid, bool> _preferredHits = [];

    public NpgsqlConnection Connection => connection;
    public NpgsqlTransaction Transaction => transaction;
    public DateTimeOffset Now => now;

    public Guid NewId() => Guid.CreateVersion7(now);

    public void Publish<T>(T message) where T : class =>
        _outbox.Add(new OutboxMessage(NewId(), typeof(T), message, JsonSerializer.Serialize(message, ContractTypes.Json), ServiceTracing.CurrentParent()));

    /// <summary>The routing receipt of one decision: a verdict per candidate, in the order they were judged.</summary>
    public void RecordDecision(Guid decisionId, Guid conversationId, string trigger, string outcome, string reason,
        string? agentId, IReadOnlyList<CandidateVerdict> candidates, int considered) =>
        _decisions.Add(new PendingDecision(decisionId, conversationId, trigger, outcome, reason, agentId,
            JsonSerializer.Serialize(candidates, ContractTypes.Json), considered));

    /// <summary>
    /// Whether a conversation whose customer had preferred agents reached one of them (conversations.preferred_hit): said
    /// once, at its first assignment or at a close before any; the first word stays.
    /// </summary>
    public void RecordPreferredHit(Guid conversationId, bool hit) => _preferredHits.TryAdd(conversationId, hit);

    /// <summary>Runs only once the transaction committed (metrics, logs of what really happened).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public CommandDefinition Command(string sql, object? parameters, CancellationToken ct) =>
        new(sql, parameters, transaction, cancellationToken: ct);

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_outbox.Count > 0 || _decisions.Count > 0 || _preferredHits.Count > 0)
        {
            await connection.ExecuteAsync(Command(
                (_preferredHits.Count == 0 ? "" : PreferredHitsSql) + """
                insert into decisions (id, conversation_id, at, trigger, outcome, reason, agent_id, candidates, candidates_considered)
                select d.id, d.conversation_id, @now, d.trigger, d.outcome, d.reason, d.agent_id, d.candidates::jsonb, d.considered
                from unnest(@decisionIds, @conversationIds, @triggers::text[], @outcomes::text[], @reasons::text[], @agentIds::text[],
                            @candidates::text[], @considered) with ordinality as d(id, conversation_id, trigger, outcome, reason, agent_id, candidates, considered, n)
                order by d.n;
                insert into outbox (message_id, message_type, payload, created_at, trace_parent)
                select m.id, m.type, m.payload::jsonb, @now, m.trace_parent
                from unnest(@ids, @types::text[], @payloads::text[], @traceParents::text[]) with ordinality as m(id, type, payload, trace_parent, n)
                order by m.n;
                """,
                new
                {
                    decisionIds = _decisions.Select(d => d.Id).ToArray(),
                    conversationIds = _decisions.Select(d => d.ConversationId).ToArray(),
                    triggers = _decisions.Select(d => d.Trigger).ToArray(),
                    outcomes = _decisions.Select(d => d.Outcome).ToArray(),
                    reasons = _decisions.Select(d => d.Reason).ToArray(),
                    agentIds = _decisions.Select(d => d.AgentId).ToArray(),
                    candidates = _decisions.Select(d => d.Candidates).ToArray(),
                    considered = _decisions.Select(d => d.Considered).ToArray(),
                    ids = _outbox.Select(o => o.Id).ToArray(),
                    types = _outbox.Select(o => o.Type.Name).ToArray(),
                    payloads = _outbox.Select(o => o.Payload).ToArray(),
                    traceParents = _outbox.Select(o => o.TraceParent).ToArray(),
                    hitIds = _preferredHits.Keys.ToArray(),
                    hits = _preferredHits.Values.ToArray(),
                    now,
                },
                ct));
        }
        await transaction.CommitAsync(ct);
        if (_outbox.Count > 0)
        {
            signal.Notify(_outbox);
        }
        foreach (var action in _afterCommit)
        {
            action();
        }
    }

    private const string PreferredHitsSql = """
        update conversations c set preferred_hit = h.hit
        from unnest(@hitIds, @hits) as h(id, hit) where c.id = h.id and c.preferred_hit is null;

        """;

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private sealed record PendingDecision(Guid Id, Guid ConversationId, string Trigger, string Outcome, string Reason, string? AgentId, string Candidates, int Considered);
}
