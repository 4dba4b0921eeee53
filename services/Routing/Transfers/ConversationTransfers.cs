using Routing.Assignment;
using Routing.Contracts;
using Routing.Database;

namespace Routing.Transfers;

/// <summary>
/// Transfers as agents (through the gateway) and operators ask them: each in a transaction around
/// <see cref="TransferMoves"/>, the same transfer id again answered with what became of it.
/// </summary>
internal sealed class ConversationTransfers(RoutingDb db, TransferMoves moves)
{
    private const int NoteLimit = 2000;

    /// <param name="asAgent">The requester is an agent: carried out only while the conversation is theirs (the gateway's copy lags).</param>
    public async Task<TransferResult> TransferAsync(TransferConversation request, bool asAgent, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var conversation = await ConversationStore.GetAsync(tx, request.ConversationId, ct, forUpdate: true);
        if (conversation is null)
        {
            return TransferResult.NotFound;
        }
        if (await TransferStore.GetAsync(tx, request.TransferId, ct) is { } existing)
        {
            await tx.CommitAsync(ct);
            return new TransferResult(TransferStatus.Repeated, existing.Status, existing.Reason);
        }
        var transfer = new TransferRow
        {
            Id = request.TransferId,
            ConversationId = conversation.Id,
            RequestedBy = request.RequestedBy,
            FromAgent = conversation.AgentId,
            ToAgent = request.ToAgentId,
            ToTeam = request.ToTeam,
            Warm = request.Warm,
            Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim()[..Math.Min(request.Note.Trim().Length, NoteLimit)],
            RequestedAt = tx.Now.UtcDateTime,
        };

        var result = await moves.StartAsync(tx, conversation, transfer, asAgent, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>The receiver of a warm transfer answers.</summary>
    public async Task<TransferResult> AnswerAsync(Guid transferId, string agentId, bool accepted, string? reason, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        if (await TransferStore.GetAsync(tx, transferId, ct) is not { } found)
        {
            return TransferResult.NotFound;
        }
        // the conversation's lock first, as everywhere; then the transfer's, which may have ended meanwhile
        var conversation = await ConversationStore.GetAsync(tx, found.ConversationId, ct, forUpdate: true);
        var transfer = await TransferStore.GetAsync(tx, transferId, ct, forUpdate: true);
        if (conversation is null || transfer is null || transfer.Status != "offered" || transfer.OfferedTo != agentId)
        {
            await tx.CommitAsync(ct);
            return new TransferResult(TransferStatus.Stale, transfer?.Status ?? "", transfer?.Reason);
        }
        var result = await moves.AnswerAsync(tx, conversation, transfer, accepted, reason, expired: false, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    public async Task<IReadOnlyList<TransferRow>> ForConversationAsync(Guid conversationId, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        return await TransferStore.ForConversationAsync(tx, conversationId, ct);
    }
}
