using Routing.Database;

namespace Routing.Conversations;

internal static class ConversationsApi
{
    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapGet("/", ListAsync).Produces<ConversationResponse[]>();
        conversations.MapGet("/{id}", GetAsync).Produces<ConversationResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapGet("/{id}/decisions", DecisionsAsync).Produces<DecisionResponse[]>().ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapPost("/{id}/close", CloseAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/queue", QueueAsync).WithTags("Conversations").Produces<QueueEntryResponse[]>();
        return app;
    }

    private static async Task<IResult> ListAsync(string? customerId, string? status, int? limit, RoutingDb db, CancellationToken ct)
    {
        Guid? customer = null;
        if (customerId is not null)
        {
            if (!Guid.TryParse(customerId, out var parsed))
            {
                return Problems.Invalid("customerId", "must be a customer id (a UUID)");
            }
            customer = parsed;
        }
        if (status is not null && !ConversationStatus.IsValid(status))
        {
            return Problems.Invalid("status", "must be open, held, queued or closed");
        }
        if (limit is < 1 or > 1000)
        {
            return Problems.Invalid("limit", "must be from 1 to 1000");
        }
        await using var tx = await db.BeginAsync(ct);
        var rows = await ConversationStore.ListAsync(tx, customer, status, limit ?? 100, ct);
        return Results.Ok(rows.Select(ConversationResponse.From));
    }

    private static async Task<IResult> GetAsync(string id, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return Problems.Invalid("id", "must be a conversation id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        return await ConversationStore.GetAsync(tx, conversationId, ct) is { } c
            ? Results.Ok(ConversationResponse.From(c))
            : Problems.NotFound("Conversation", id);
    }

    private static async Task<IResult> DecisionsAsync(string id, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return Problems.Invalid("id", "must be a conversation id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        if (await ConversationStore.GetAsync(tx, conversationId, ct) is null)
        {
            return Problems.NotFound("Conversation", id);
        }
        return Results.Ok((await ConversationStore.DecisionsAsync(tx, conversationId, ct)).Select(DecisionResponse.From));
    }

    private static async Task<IResult> CloseAsync(string id, HttpRequest request, ConversationCommands commands, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return Problems.Invalid("id", "must be a conversation id (a UUID)");
        }
        var (ok, body, problem) = await Problems.ReadOptionalJsonAsync<CloseRequest>(request, ct);
        if (!ok)
        {
            return problem!;
        }
        // the receipt names the operator whose token closed it, unless the body names someone
        var closedBy = body?.ClosedBy ?? $"operator:{request.HttpContext.User.Identity?.Name ?? "admin"}";
        return await commands.CloseAsync(conversationId, closedBy, body?.Reason, messagesSeen: null, ct) switch
        {
            CommandResult.NotFound => Problems.NotFound("Conversation", id),
            _ => Results.NoContent(),
        };
    }

    private static async Task<IResult> QueueAsync(int? limit, RoutingDb db, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
        {
            return Problems.Invalid("limit", "must be from 1 to 1000");
        }
        await using var tx = await db.BeginAsync(ct);
        var rows = await ConversationStore.QueueAsync(tx, limit ?? 100, ct);
        return Results.Ok(rows.Select((c, i) => new QueueEntryResponse(i + 1, ConversationResponse.From(c))));
    }
}

/// <summary>A conversation in the queue, with its place in it (1: the next to be assigned).</summary>
internal sealed record QueueEntryResponse(int Position, ConversationResponse Conversation);
