using Routing.ServiceDefaults;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.FollowUps;
using Npgsql;
using Routing.Contracts;

namespace Routing.AgentGateway.Agents;

/// <summary>
/// The agent API. Every endpoint acts as the token's agent only: a conversation that is not the agent's is 404,
/// exactly like one that does not exist. Commands (presence, accept, decline, close, replies) are forwarded to
/// routing and the adapters as messages and answered 202 once the broker confirmed them, 503 when it cannot.
/// </summary>
internal static partial class AgentApi
{
    private static readonly Dictionary<string, string[]> StatusFilters = new(StringComparer.Ordinal)
    {
        ["active"] = ["offered", "open"],
        ["offered"] = ["offered"],
        ["open"] = ["open"],
        ["closed"] = ["closed"],
        ["all"] = ["offered", "open", "closed"],
    };

    public sealed record PresenceBody(string? Status);

    public sealed record ReasonBody(string? Reason);

    /// <summary>A follow-up: what the customer is asked, and when (dueAt, or inDays from now, e.g. 3 or 0.5).</summary>
    public sealed record FollowUpBody(string? Text, DateTimeOffset? DueAt, double? InDays);

    /// <summary>A close, with a follow-up scheduled at the same time when <paramref name="FollowUp"/> is given.</summary>
    public sealed record CloseBody(string? Reason, FollowUpBody? FollowUp);

    /// <summary>A reply: its text, the channel (else the one the customer last wrote on), and files uploaded with POST /attachments.</summary>
    /// <param name="Visibility">public or private; by default where the customer wrote last on the channel (a public comment is answered in public).</param>
    public sealed record ReplyBody(string? Text, string? Channel, IReadOnlyList<Guid>? Attachments = null, string? Visibility = null);

    /// <summary>Who the token is.</summary>
    public sealed record Me(string AgentId);

    public sealed record PresenceAccepted(string AgentId, string Status);

    /// <summary>A conversation's detail: its state, the customer's context and its latest messages.</summary>
    public sealed record ConversationDetail(ConversationView Conversation, JsonElement Context, IReadOnlyList<MessageView> Messages);

    /// <summary>An action taken on a conversation (accepted, declined, closing): routing is told, the outcome follows as events.</summary>
    public sealed record ConversationAction(Guid ConversationId, string Status);

    /// <summary>A transfer to another agent (toAgentId) or a team (toTeam); warm: offered to them first while you keep it.</summary>
    public sealed record TransferBody(string? ToAgentId, string? ToTeam, bool? Warm, string? Note);

    /// <summary>A transfer asked of routing; how it ends follows as a transfer.ended event.</summary>
    public sealed record TransferRequested(Guid TransferId, Guid ConversationId, string Status);

    /// <summary>A note for whoever serves the customer next, tags to add or remove (vip, returns: one lower-case word each), and the customer's name where the channel gave none.</summary>
    public sealed record NoteBody(string? Note, IReadOnlyList<string?>? AddTags, IReadOnlyList<string?>? RemoveTags, string? Name = null);

    /// <summary>A note sent to routing, which keeps it with the customer; the next agent's conversation.assigned carries it.</summary>
    public sealed record NoteWritten(Guid NoteId, Guid ConversationId, string Status);

    /// <summary>An answer to a transfer offered to you, sent to routing; the conversation follows as conversation.assigned when it moves.</summary>
    public sealed record TransferAnswer(Guid TransferId, string Status);

    /// <summary>A reply requested of the channel's adapter; its fate follows as reply.status events.</summary>
    /// <param name="Visibility">public: posted for everyone under the customer's post; private: to the customer alone.</param>
    public sealed record ReplyRequested(Guid Id, Guid ConversationId, string Channel, string Status, string Visibility);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex ChannelName();

    public static WebApplication MapAgentApi(this WebApplication app)
    {
        var me = app.MapGroup("/me").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();
        me.MapGet("/", (HttpContext http) => Results.Ok(new Me(AgentAuthorization.AgentOf(http)))).Produces<Me>();

        me.MapPut("/presence", async (PresenceBody body, HttpContext http, AgentActions actions, TimeProvider time) =>
        {
            if (body.Status is null || !AgentPresences.IsValid(body.Status))
            {
                return Invalid("status", "must be available, away or offline");
            }
            var agentId = AgentAuthorization.AgentOf(http);
            return Answer(await actions.CommandAsync(new AgentPresenceChanged { AgentId = agentId, Status = body.Status, ChangedAt = time.GetUtcNow() },
                http.RequestAborted), new PresenceAccepted(agentId, body.Status));
        }).Produces<PresenceAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        me.MapGet("/conversations", async (string? status, int? limit, HttpContext http, ConversationStore store) =>
        {
            if (!StatusFilters.TryGetValue(status ?? "active", out var statuses))
            {
                return Invalid("status", $"must be one of {string.Join(", ", StatusFilters.Keys)}");
            }
            if (limit is < 1 or > 500)
            {
                return Invalid("limit", "must be 1-500");
            }
            return Results.Ok(await store.ListForAgentAsync(AgentAuthorization.AgentOf(http), statuses, limit ?? 100, http.RequestAborted));
        }).Produces<ConversationView[]>();

        me.MapGet("/transfers", async (HttpContext http, TransferOfferStore offers, TimeProvider time) =>
            Results.Ok(await offers.OpenForAgentAsync(AgentAuthorization.AgentOf(http), time.GetUtcNow(), http.RequestAborted)))
            .Produces<TransferOffer[]>();

        me.MapGet("/events", StreamEventsAsync).Produces<string>(StatusCodes.Status200OK, "text/event-stream");

        var conversations = app.MapGroup("/conversations").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();

        conversations.MapGet("/{id:guid}", async (Guid id, HttpContext http, ConversationStore store) =>
            await store.DetailForAgentAsync(id, AgentAuthorization.AgentOf(http), 200, http.RequestAborted) is { } detail
                ? Results.Ok(new ConversationDetail(detail.Conversation, detail.Context, detail.Messages))
                : NotFound()).Produces<ConversationDetail>().ProducesProblem(StatusCodes.Status404NotFound);

        conversations.MapPost("/{id:guid}/accept", async (Guid id, HttpContext http, AgentActions actions) =>
            Answer(await actions.AcceptAsync(id, AgentAuthorization.AgentOf(http), http.RequestAborted), new ConversationAction(id, "accepted")))
            .ProducesAction<ConversationAction>();

        conversations.MapPost("/{id:guid}/decline", async (Guid id, ReasonBody? body, HttpContext http, AgentActions actions) =>
            Answer(await actions.DeclineAsync(id, AgentAuthorization.AgentOf(http), body?.Reason, http.RequestAborted),
                new ConversationAction(id, "declined"))).ProducesAction<ConversationAction>();

        conversations.MapPost("/{id:guid}/close", async (Guid id, CloseBody? body, HttpContext http, AgentActions actions, TimeProvider time) =>
        {
            var agentId = AgentAuthorization.AgentOf(http);
            if (body?.FollowUp is { } followUp)
            {
                // the follow-up first: a close whose follow-up was refused would leave the agent thinking the customer will be asked
                var key = http.Request.Headers["Idempotency-Key"].ToString();
                var (scheduled, _) = await ScheduleAsync(actions, id, agentId, followUp, key.Length == 0 ? null : key + ":follow-up", time, http.RequestAborted);
                if (scheduled.Status != ActionStatus.Done)
                {
                    return Answer(scheduled, null);
                }
            }
            return Answer(await actions.CloseAsync(id, agentId, body?.Reason, http.RequestAborted), new ConversationAction(id, "closing"));
        }).ProducesAction<ConversationAction>();

        conversations.MapPost("/{id:guid}/follow-ups", async (Guid id, FollowUpBody body, HttpContext http, AgentActions actions, TimeProvider time) =>
        {
            var key = http.Request.Headers["Idempotency-Key"].ToString();
            var (result, followUp) = await ScheduleAsync(actions, id, AgentAuthorization.AgentOf(http), body, key.Length == 0 ? null : key, time, http.RequestAborted);
            return result.Status == ActionStatus.Done ? Results.Created($"/follow-ups/{followUp!.Id}", followUp) : Answer(result, null);
        }).Produces<FollowUpView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        me.MapGet("/follow-ups", async (string? status, HttpContext http, NpgsqlDataSource db) =>
            status is not (null or "scheduled" or "sent" or "cancelled" or "failed")
                ? Invalid("status", "must be scheduled, sent, cancelled or failed")
                : Results.Ok(await FollowUpStore.ListAsync(db, AgentAuthorization.AgentOf(http), status, 500, http.RequestAborted)))
            .Produces<FollowUpView[]>();

        var followUps = app.MapGroup("/follow-ups").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();
        followUps.MapDelete("/{id:guid}", async (Guid id, HttpContext http, AgentActions actions) =>
        {
            var (result, followUp) = await actions.CancelFollowUpAsync(id, AgentAuthorization.AgentOf(http), http.RequestAborted);
            return result.Status == ActionStatus.Done ? Results.Ok(followUp) : Answer(result, null);
        }).Produces<FollowUpView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        conversations.MapPost("/{id:guid}/transfer", async (Guid id, TransferBody body, HttpContext http, AgentActions actions) =>
        {
            var (result, transferId) = await actions.TransferAsync(id, AgentAuthorization.AgentOf(http), body.ToAgentId?.Trim(), body.ToTeam?.Trim(),
                body.Warm ?? false, body.Note, http.RequestAborted);
            return Answer(result, new TransferRequested(transferId, id, "requested"));
        }).ProducesAction<TransferRequested>();

        conversations.MapPost("/{id:guid}/notes", async (Guid id, NoteBody body, HttpContext http, AgentActions actions) =>
        {
            var (result, noteId) = await actions.AnnotateAsync(id, AgentAuthorization.AgentOf(http), body.Note, body.AddTags, body.RemoveTags, http.RequestAborted,
                customerName: body.Name);
            return Answer(result, new NoteWritten(noteId, id, "written"));
        }).ProducesAction<NoteWritten>();

        var transfers = app.MapGroup("/transfers").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();

        transfers.MapPost("/{id:guid}/accept", async (Guid id, HttpContext http, AgentActions actions) =>
            Answer(await actions.AnswerTransferAsync(id, AgentAuthorization.AgentOf(http), accepted: true, null, http.RequestAborted),
                new TransferAnswer(id, "accepted"))).ProducesAction<TransferAnswer>();

        transfers.MapPost("/{id:guid}/decline", async (Guid id, ReasonBody? body, HttpContext http, AgentActions actions) =>
            Answer(await actions.AnswerTransferAsync(id, AgentAuthorization.AgentOf(http), accepted: false, body?.Reason, http.RequestAborted),
                new TransferAnswer(id, "declined"))).ProducesAction<TransferAnswer>();

        conversations.MapPost("/{id:guid}/replies", async (Guid id, ReplyBody body, HttpContext http, AgentActions actions) =>
        {
            if (body.Channel is not null && !ChannelName().IsMatch(body.Channel))
            {
                return Invalid("channel", "must be a channel name such as sms, whatsapp, email, facebook or twitter");
            }
            var key = http.Request.Headers["Idempotency-Key"].ToString();
            var result = await actions.ReplyAsync(id, AgentAuthorization.AgentOf(http), body.Text, body.Channel, key.Length == 0 ? null : key,
                http.RequestAborted, body.Attachments ?? [], body.Visibility);
            if (result is not { Status: ActionStatus.Done, Reply: { } reply })
            {
                return Answer(result, null);
            }
            var answer = new ReplyRequested(reply.Id, id, reply.Channel, "requested", reply.Visibility);
            return reply.Repeated ? Results.Ok(answer) : Results.Accepted($"/conversations/{id}", answer);
        }).ProducesAction<ReplyRequested>().Produces<ReplyRequested>(); // 200: the same reply again, by its Idempotency-Key
        return app;
    }

    /// <summary>
    /// GET /me/events: the agent's events as server-sent events (id = the event's sequence, event = its type, data = the
    /// same JSON the webhooks carry), from after Last-Event-ID when given, else from now; a comment every 15 s keeps
    /// proxies from closing the connection. The token is checked again whenever the stream is idle: revoked or expired,
    /// the stream says "token-revoked" and ends.
    /// </summary>
    private static async Task StreamEventsAsync(HttpContext http, EventStore events, EventSignal signal, AgentTokens tokens, TimeProvider time)
    {
        var agentId = AgentAuthorization.AgentOf(http);
        var token = AgentAuthorization.TokenHashOf(http);
        var ct = http.RequestAborted;
        var lastId = http.Request.Headers["Last-Event-ID"].ToString();
        long after;
        if (lastId.Length == 0)
        {
            after = await events.LatestAsync(agentId, ct);
        }
        else if (!long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            await Invalid("Last-Event-ID", "must be the id of an event this stream sent").ExecuteAsync(http);
            return;
        }
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 3000\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var next = signal.NextAsync(agentId);
                var batch = await events.AfterAsync(agentId, after, 100, ct);
                foreach (var e in batch)
                {
                    await http.Response.WriteAsync($"id: {e.Seq.ToString(CultureInfo.InvariantCulture)}\nevent: {e.Type}\ndata: ", ct);
                    await http.Response.Body.WriteAsync(e.Body, ct);
                    await http.Response.WriteAsync("\n\n", ct);
                    after = e.Seq;
                }
                if (batch.Count > 0)
                {
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }
                // Woken with nothing to send (a revocation wakes the agent's streams too) or idle: the token is looked at
                // again, so a revoked or expired token ends the stream rather than keep it open for as long as it lasts.
                if (await tokens.AgentOfAsync(token, time.GetUtcNow(), ct) != agentId)
                {
                    await http.Response.WriteAsync("event: token-revoked\ndata: {}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    return;
                }
                if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(15), time, ct)) != next)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The agent's tool disconnected.
        }
    }

    /// <summary>What <see cref="Answer"/> may answer, in the API's document: 202 with the action, or the problems below.</summary>
    private static RouteHandlerBuilder ProducesAction<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<T>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>A follow-up from the API's body: dueAt, or inDays from now; with an Idempotency-Key, the same request again is the same follow-up.</summary>
    private static Task<(ActionResult Result, FollowUpView? FollowUp)> ScheduleAsync(AgentActions actions, Guid conversationId, string agentId, FollowUpBody body,
        string? idempotencyKey, TimeProvider time, CancellationToken ct)
    {
        if (body.DueAt is not null && body.InDays is not null)
        {
            return Task.FromResult<(ActionResult, FollowUpView?)>((ActionResult.Invalid("dueAt", "or inDays: give one"), null));
        }
        if (body.InDays is { } days && !(double.IsFinite(days) && days > 0 && days <= 3650))
        {
            return Task.FromResult<(ActionResult, FollowUpView?)>((ActionResult.Invalid("inDays", "must be a positive number of days"), null));
        }
        var dueAt = body.DueAt ?? (body.InDays is { } d ? time.GetUtcNow() + TimeSpan.FromDays(d) : null);
        var id = idempotencyKey is null ? Guid.CreateVersion7() : AgentActions.FollowUpIdFor(agentId, idempotencyKey);
        return actions.ScheduleFollowUpAsync(conversationId, agentId, body.Text, dueAt, id, ct);
    }

    /// <summary>An action's outcome as HTTP: 202 with <paramref name="accepted"/>, or problem+json (404, 409, 400 with the field, 503).</summary>
    private static IResult Answer(ActionResult result, object? accepted) => result.Status switch
    {
        ActionStatus.Done => Results.Accepted(value: accepted),
        ActionStatus.NotFound => NotFound(result.Detail),
        ActionStatus.Conflict => Conflict(result.Detail!),
        // draft-ietf-httpapi-idempotency-key-header: a request repeated while the first is processed is 409
        ActionStatus.InProgress => new WithRetryAfter(Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request in progress",
            detail: result.Detail, extensions: new Dictionary<string, object?> { ["field"] = result.Field }), 1),
        ActionStatus.Invalid => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: result.Detail,
            extensions: new Dictionary<string, object?> { ["field"] = result.Field }),
        _ => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Message broker unavailable", detail: result.Detail),
    };

    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(http);
        }
    }

    private static IResult NotFound(string? detail = null) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: detail ?? ActionResult.NotFound.Detail);

    private static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: detail);

    private static IResult Invalid(string field, string problem) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"{field} {problem}",
            extensions: new Dictionary<string, object?> { ["field"] = field });
}
