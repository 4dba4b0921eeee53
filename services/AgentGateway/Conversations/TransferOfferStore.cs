using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Conversations;

/// <summary>Warm transfers offered to agents, kept from routing's events: who may answer which, and until when.</summary>
internal sealed class TransferOfferStore(NpgsqlDataSource db)
{
    private const string Columns = """
        transfer_id as TransferId, conversation_id as ConversationId, from_agent as FromAgentId, to_agent as ToAgentId, to_team as ToTeam,
        note, offered_at as OfferedAt, expires_at as ExpiresAt, status, outcome
        """;

    /// <summary>Records the offer; false when it was recorded before (a redelivered event).</summary>
    public static async Task<bool> OfferAsync(NpgsqlConnection connection, NpgsqlTransaction tx, TransferOffer offer, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_transfer_offers (transfer_id, conversation_id, from_agent, to_agent, to_team, note, offered_at, expires_at)
            values (@TransferId, @ConversationId, @FromAgentId, @ToAgentId, @ToTeam, @Note, @OfferedAt, @ExpiresAt)
            on conflict (transfer_id) do nothing
            """, offer, tx, cancellationToken: ct)) == 1;

    /// <summary>The transfer ended: returns the offer as it was (null when it was never offered here, or already ended).</summary>
    public static Task<TransferOffer?> EndAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid transferId, string outcome, DateTimeOffset at,
        CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<TransferOffer>(new CommandDefinition(
            $"""
            update gateway_transfer_offers set status = 'ended', outcome = @outcome, ended_at = @at
            where transfer_id = @transferId and status <> 'ended'
            returning {Columns}
            """, new { transferId, outcome, at = at.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>The offer if it is <paramref name="agentId"/>'s to answer.</summary>
    public async Task<TransferOffer?> ForAgentAsync(Guid transferId, string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TransferOffer>(new CommandDefinition(
            $"select {Columns} from gateway_transfer_offers where transfer_id = @transferId and to_agent = @agentId",
            new { transferId, agentId }, cancellationToken: ct));
    }

    /// <summary>The transfers of a conversation still on offer (a mail's reply address may be that of the agent it is offered to).</summary>
    public async Task<IReadOnlyList<TransferOffer>> OfferedForConversationAsync(Guid conversationId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TransferOffer>(new CommandDefinition(
            $"select {Columns} from gateway_transfer_offers where conversation_id = @conversationId and status = 'offered'",
            new { conversationId }, cancellationToken: ct))).ToList();
    }

    /// <summary>The offers an agent can still answer, oldest first.</summary>
    public async Task<IReadOnlyList<TransferOffer>> OpenForAgentAsync(string agentId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TransferOffer>(new CommandDefinition(
            $"""
            select {Columns} from gateway_transfer_offers
            where to_agent = @agentId and status = 'offered' and expires_at > @now order by offered_at, transfer_id
            """, new { agentId, now = now.UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>The agent answered (routing was told): not answered twice.</summary>
    public async Task AnsweredAsync(Guid transferId, string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_transfer_offers set status = 'answered' where transfer_id = @transferId and to_agent = @agentId and status = 'offered'",
            new { transferId, agentId }, cancellationToken: ct));
    }
}

/// <summary>A warm transfer offered to an agent, as the agent API shows it.</summary>
internal sealed record TransferOffer
{
    public Guid TransferId { get; init; }
    public Guid ConversationId { get; init; }
    public string FromAgentId { get; init; } = "";
    public string ToAgentId { get; init; } = "";
    public string? ToTeam { get; init; }
    public string? Note { get; init; }
    public DateTime OfferedAt { get; init; }
    public DateTime ExpiresAt { get; init; }

    /// <summary>offered (to answer), answered (routing was told), ended.</summary>
    public string Status { get; init; } = "offered";
    public string? Outcome { get; init; }
}
