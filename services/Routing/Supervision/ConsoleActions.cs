using Microsoft.AspNetCore.Mvc;
using Routing.Agents;
using Routing.Assignment;
using Routing.Contracts;
using Routing.Conversations;
using Routing.Identity;
using Routing.Transfers;

namespace Routing.Supervision;

/// <summary>
/// The supervisor's actions, each the same service call the operators' API makes: reassign (a cold transfer to an agent or a
/// team), close, an agent's presence, a customer's preferred agents, merge and unmerge. Admin operators only; done, the page
/// is shown again with what happened (303); refused, a page says why with the status the API would give.
/// </summary>
internal static class ConsoleActions
{
    public static void Map(RouteGroupBuilder console)
    {
        console.MapPost("/conversations/{id}/transfer", TransferAsync).WithFormToken();
        console.MapPost("/conversations/{id}/close", CloseAsync).WithFormToken();
        console.MapPost("/agents/{id}/presence", PresenceAsync).WithFormToken();
        console.MapPost("/customers/{id}/preferred-agents", PreferredAsync).WithFormToken();
        console.MapPost("/customers/{id}/merge", MergeAsync).WithFormToken();
        console.MapPost("/customers/{id}/unmerge", UnmergeAsync).WithFormToken();
    }

    /// <summary>A read-only operator sees the console, and is refused (403) any change; every change is logged with who made it.</summary>
    public static async ValueTask<object?> AdminOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.FindFirst(Access.OperatorTokenHandler.ScopeClaim)?.Value != nameof(Access.OperatorScope.Admin))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status403Forbidden, "Your operator token may read, not change: sign in with an admin token to act.", ConsoleSetup.BasePath);
        }
        http.RequestServices.GetRequiredService<ILogger<ConsolePage>>()
            .LogInformation("Operator {Operator} (console): {Method} {Path}", http.User.Identity?.Name, http.Request.Method, http.Request.Path.Value);
        return await next(context);
    }

    private static string Operator(HttpContext http) => $"operator:{http.User.Identity?.Name ?? "admin"}";

    private static IResult Done(string page, string done) => Results.Redirect($"{page}?done={done}", permanent: false, preserveMethod: false);

    private static async Task<IResult> TransferAsync(HttpContext http, string id, [FromForm] TransferForm form, ConversationTransfers transfers,
        TimeProvider time, CancellationToken ct)
    {
        var page = $"{ConsoleSetup.BasePath}/conversations/{id}";
        if (!Guid.TryParse(id, out var conversationId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath);
        }
        var toAgent = Blank(form.ToAgent);
        var toTeam = Blank(form.ToTeam)?.ToLowerInvariant();
        if (TransfersApi.Problem(Operator(http), toAgent, toTeam) is not null)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "Choose an agent or a team to reassign to (one of them, not both).", page);
        }
        if (form.Note is { Length: > 2000 })
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "The note is longer than 2000 characters.", page);
        }
        var result = await transfers.TransferAsync(new TransferConversation
        {
            TransferId = Guid.CreateVersion7(time.GetUtcNow()),
            ConversationId = conversationId,
            RequestedBy = Operator(http),
            ToAgentId = toAgent,
            ToTeam = toTeam,
            Warm = false,
            Note = Blank(form.Note),
            RequestedAt = time.GetUtcNow(),
        }, asAgent: false, ct);
        return result.Status switch
        {
            TransferStatus.NotFound => ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath),
            TransferStatus.Refused => ConsoleForms.NotDone(http, StatusCodes.Status409Conflict, $"Not reassigned: {result.Reason ?? "routing refused it"}.", page),
            TransferStatus.Offered => Done(page, "offered"),
            _ => Done(page, "reassigned"),
        };
    }

    private static async Task<IResult> CloseAsync(HttpContext http, string id, [FromForm] CloseForm form, ConversationCommands commands, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath);
        }
        var page = $"{ConsoleSetup.BasePath}/conversations/{id}";
        if (form.Reason is { Length: > 200 })
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "The reason is longer than 200 characters.", page);
        }
        return await commands.CloseAsync(conversationId, Operator(http), Blank(form.Reason), messagesSeen: null, ct) switch
        {
            CommandResult.NotFound => ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath),
            _ => Done(page, "closed"),
        };
    }

    private static async Task<IResult> PresenceAsync(HttpContext http, string id, [FromForm] PresenceForm form, AgentService agents, CancellationToken ct)
    {
        var page = $"{ConsoleSetup.BasePath}/agents/{Uri.EscapeDataString(id)}";
        if (!AgentPresences.IsValid(form.Presence))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "Choose available, away or offline.", page);
        }
        var (found, _) = await agents.SetPresenceAsync(id, form.Presence!, null, ct);
        return found ? Done(page, "presence") : ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such agent.", ConsoleSetup.BasePath);
    }

    private static async Task<IResult> PreferredAsync(HttpContext http, string id, [FromForm] PreferredForm form, Database.RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        var page = $"{ConsoleSetup.BasePath}/customers/{id}";
        var agentIds = (form.Agents ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return await PreferredAgentsChange.SetAsync(db, customerId, agentIds, ct) switch
        {
            { Problem: { } problem } => ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest,
                $"Not saved: {(problem.Field.StartsWith('[') ? $"the agent in place {int.Parse(problem.Field.Trim('[', ']')) + 1}" : "the list")} {problem.Message}.", page),
            { Customer: not null } => Done(page, "preferred"),
            _ => ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath),
        };
    }

    private static async Task<IResult> MergeAsync(HttpContext http, string id, [FromForm] MergeForm form, CustomerMerger merger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var survivorId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        var page = $"{ConsoleSetup.BasePath}/customers/{id}";
        if (!Guid.TryParse(form.Other, out var mergedId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "Preview the merge first: it names the customer to merge.", page);
        }
        var (check, _) = await merger.MergeCheckedAsync(survivorId, mergedId, ct);
        return check switch
        {
            MergeCheck.Possible => Done(page, "merged"),
            MergeCheck.Itself => ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "A customer cannot be merged into itself.", page),
            MergeCheck.AlreadyMerged => ConsoleForms.NotDone(http, StatusCodes.Status409Conflict,
                "One of them is already merged into another customer: merge into that one, or unmerge first.", page),
            _ => ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "One of the customers no longer exists.", page),
        };
    }

    private static async Task<IResult> UnmergeAsync(HttpContext http, string id, [FromForm] UnmergeForm form, CustomerMerger merger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var survivorId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        var page = $"{ConsoleSetup.BasePath}/customers/{id}";
        if (!Guid.TryParse(form.Merged, out var mergedId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "Choose the merge to undo.", page);
        }
        return await merger.UnmergeAsync(survivorId, mergedId, ct) is null
            ? ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "That merge is already undone, or never was.", page)
            : Done(page, "unmerged");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    internal sealed class TransferForm
    {
        public string? ToAgent { get; set; }
        public string? ToTeam { get; set; }
        public string? Note { get; set; }
    }

    internal sealed class CloseForm
    {
        public string? Reason { get; set; }
    }

    internal sealed class PresenceForm
    {
        public string? Presence { get; set; }
    }

    internal sealed class PreferredForm
    {
        public string? Agents { get; set; }
    }

    internal sealed class MergeForm
    {
        public string? Other { get; set; }
    }

    internal sealed class UnmergeForm
    {
        public string? Merged { get; set; }
    }
}
