using Dapper;

namespace Routing.Database;

/// <summary>Transfers: who moved a conversation to whom and why, and a warm transfer's offer while it lasts.</summary>
internal static class TransferStore
{
    private const string Columns =
        "id, conversation_id, requested_by, from_agent, to_agent, to_team, warm, note, status, reason, requested_at, offered_to, expires_at, ended_at";

    public static Task<TransferRow?> GetAsync(RoutingTransaction tx, Guid id, CancellationToken ct, bool forUpdate = false) =>
        tx.Connection.QuerySingleOrDefaultAsync<TransferRow>(tx.Command(
            $"select {Columns} from transfers where id = @id{(forUpdate ? " for update" : "")}", new { id }, ct));

    public static async Task<IReadOnlyList<TransferRow>> ForConversationAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<TransferRow>(tx.Command(
            $"select {Columns} from transfers where conversation_id = @conversationId order by requested_at, id", new { conversationId }, ct))).ToList();

    /// <summary>The conversation's warm transfer on offer, if any, locked.</summary>
    public static Task<TransferRow?> OfferedAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<TransferRow>(tx.Command(
            $"select {Columns} from transfers where conversation_id = @conversationId and status = 'offered' for update", new { conversationId }, ct));

    /// <summary>Records a transfer as asked; false when a transfer with this id exists (the same request again).</summary>
    public static async Task<bool> InsertAsync(RoutingTransaction tx, TransferRow t, CancellationToken ct) =>
        await tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into transfers (id, conversation_id, requested_by, from_agent, to_agent, to_team, warm, note, status, reason, requested_at,
                                   offered_to, expires_at, ended_at)
            values (@Id, @ConversationId, @RequestedBy, @FromAgent, @ToAgent, @ToTeam, @Warm, @Note, @Status, @Reason, @RequestedAt,
                    @OfferedTo, @ExpiresAt, @EndedAt)
            on conflict (id) do nothing
            """, t, ct)) == 1;

    public static Task EndAsync(RoutingTransaction tx, Guid id, string status, string? reason, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update transfers set status = @status, reason = @reason, ended_at = @now where id = @id",
            new { id, status, reason, now = tx.Now }, ct));

    /// <summary>Moves the conversation to a team (or to none): only the team's members take it from now on.</summary>
    public static Task SetTeamAsync(RoutingTransaction tx, Guid conversationId, string? team, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set team = @team where id = @conversationId", new { conversationId, team }, ct));

    public static Task<bool> TeamExistsAsync(RoutingTransaction tx, string team, CancellationToken ct) =>
        tx.Connection.ExecuteScalarAsync<bool>(tx.Command(
            "select exists (select 1 from agents where teams @> array[@team]::text[])", new { team }, ct));
}

internal sealed record TransferRow
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public string RequestedBy { get; init; } = "";
    public string? FromAgent { get; init; }
    public string? ToAgent { get; init; }
    public string? ToTeam { get; init; }
    public bool Warm { get; init; }
    public string? Note { get; init; }
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public DateTime RequestedAt { get; init; }
    public string? OfferedTo { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public DateTime? EndedAt { get; init; }
}
