using Routing.Assignment;
using Routing.Contracts;
using Routing.Database;

namespace Routing.Transfers;

/// <summary>Operators move conversations (a supervisor's reassign is a cold transfer): any conversation, waiting or with an agent.</summary>
internal static class TransfersApi
{
    public static IEndpointRouteBuilder MapTransfersApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapPost("/{id}/transfer", TransferAsync)
            .Produces<TransferResponse>().Produces<TransferResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        conversations.MapGet("/{id}/transfers", ListAsync).Produces<TransferResponse[]>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>What is wrong with a transfer's addressing, if anything (the API and the consumer share it).</summary>
    public static (string Field, string Message)? Problem(string? requestedBy, string? toAgentId, string? toTeam)
    {
        if (string.IsNullOrWhiteSpace(requestedBy))
        {
            return ("requestedBy", "is required");
        }
        if ((toAgentId is null) == (toTeam is null))
        {
            return ("toAgentId", "name either an agent (toAgentId) or a team (toTeam)");
        }
        if (toAgentId is not null && !Problems.IsValidId(toAgentId))
        {
            return ("toAgentId", "must be an agent id");
        }
        if (toTeam is not null && !Problems.IsValidId(toTeam))
        {
            return ("toTeam", "must be a team name");
        }
        return null;
    }

    private static async Task<IResult> TransferAsync(string id, HttpRequest request, ConversationTransfers transfers, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return Problems.Invalid("id", "must be a conversation id (a UUID)");
        }
        var (ok, body, problem) = await Problems.ReadOptionalJsonAsync<TransferRequest>(request, ct);
        if (!ok)
        {
            return problem!;
        }
        if (body is null)
        {
            return Problems.Invalid("body", "a JSON object naming toAgentId or toTeam is required");
        }
        var requestedBy = $"operator:{request.HttpContext.User.Identity?.Name ?? "admin"}";
        if (Problem(requestedBy, body.ToAgentId?.Trim(), body.ToTeam?.Trim().ToLowerInvariant()) is { } invalid)
        {
            return Problems.Invalid(invalid.Field, invalid.Message);
        }
        if (body.Note is { Length: > 2000 })
        {
            return Problems.Invalid("note", "is longer than 2000 characters");
        }
        var transferId = body.TransferId ?? Guid.CreateVersion7(time.GetUtcNow());
        var result = await transfers.TransferAsync(new TransferConversation
        {
            TransferId = transferId,
            ConversationId = conversationId,
            RequestedBy = requestedBy,
            ToAgentId = body.ToAgentId?.Trim(),
            ToTeam = body.ToTeam?.Trim().ToLowerInvariant(),
            Warm = body.Warm ?? false,
            Note = body.Note,
            RequestedAt = time.GetUtcNow(),
        }, asAgent: false, ct);
        var response = new TransferResponse(transferId, result.Outcome, result.Reason);
        return result.Status switch
        {
            TransferStatus.NotFound => Problems.NotFound("Conversation", id),
            TransferStatus.Refused => Problems.Conflict("Transfer refused", $"The conversation was not transferred: {result.Reason}."),
            TransferStatus.Offered => Results.Accepted($"/conversations/{id}/transfers", response),
            _ => Results.Ok(response),
        };
    }

    private static async Task<IResult> ListAsync(string id, RoutingDb db, ConversationTransfers transfers, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return Problems.Invalid("id", "must be a conversation id (a UUID)");
        }
        await using (var tx = await db.BeginAsync(ct))
        {
            if (await ConversationStore.GetAsync(tx, conversationId, ct) is null)
            {
                return Problems.NotFound("Conversation", id);
            }
        }
        return Results.Ok((await transfers.ForConversationAsync(conversationId, ct)).Select(TransferResponse.From));
    }
}

/// <summary>An operator's transfer: to an agent or a team, warm (offered first) or cold; <see cref="TransferId"/> makes a retry the same transfer.</summary>
internal sealed record TransferRequest(string? ToAgentId, string? ToTeam, bool? Warm, string? Note, Guid? TransferId);

internal sealed record TransferResponse(Guid Id, string Status, string? Reason)
{
    public string? RequestedBy { get; init; }
    public string? FromAgentId { get; init; }
    public string? ToAgentId { get; init; }
    public string? ToTeam { get; init; }
    public bool Warm { get; init; }
    public string? Note { get; init; }
    public string? OfferedTo { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public static TransferResponse From(TransferRow t) => new(t.Id, t.Status, t.Reason)
    {
        RequestedBy = t.RequestedBy,
        FromAgentId = t.FromAgent,
        ToAgentId = t.ToAgent,
        ToTeam = t.ToTeam,
        Warm = t.Warm,
        Note = t.Note,
        OfferedTo = t.OfferedTo,
        RequestedAt = AgentRow.Utc(t.RequestedAt),
        EndedAt = t.EndedAt is { } at ? AgentRow.Utc(at) : null,
    };
}
