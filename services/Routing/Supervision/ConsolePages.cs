using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Routing.Access;
using Routing.Contracts;
using Routing.Database;
using Routing.Identity;
using Routing.Supervision.Views;

namespace Routing.Supervision;

/// <summary>The console's pages: the floor, a conversation, an agent, a customer, a merge's preview, search. Reads only.</summary>
internal static class ConsolePages
{
    private const int FloorRows = 200;
    private const int TimelineMessages = 200;

    private static readonly Dictionary<string, string> DoneTexts = new(StringComparer.Ordinal)
    {
        ["reassigned"] = "Reassigned. Routing's receipt is at the end of the timeline.",
        ["offered"] = "The agent is offered the conversation; the timeline shows when they take it.",
        ["closed"] = "Closed.",
        ["presence"] = "Presence set.",
        ["preferred"] = "Preferred agents saved: the customer's next conversation goes to them first.",
        ["merged"] = "Merged: one person now, with every address.",
        ["unmerged"] = "Unmerged: both are people of their own again.",
    };

    public static void Map(RouteGroupBuilder console)
    {
        console.MapGet("", FloorAsync);
        console.MapGet("/conversations/{id}", ConversationAsync);
        console.MapGet("/agents/{id}", AgentAsync);
        console.MapGet("/customers/{id}", CustomerAsync);
        console.MapGet("/customers/{id}/merge", MergePreviewAsync);
        console.MapGet("/search", SearchAsync);
    }

    /// <summary>The page's common part: the signed-in operator, a fresh form token, what the last action did (a fixed sentence, by its code).</summary>
    public static ConsolePage PageFor(HttpContext http, IAntiforgery antiforgery, TimeProvider time, string? done, bool signedOut = false)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var caller = signedOut || http.User.Identity?.IsAuthenticated != true
            ? null
            : new OperatorCaller(http.User.Identity.Name ?? "operator",
                http.User.FindFirstValue(OperatorTokenHandler.ScopeClaim) == nameof(OperatorScope.Admin) ? OperatorScope.Admin : OperatorScope.Read);
        return new ConsolePage(caller, tokens.FormFieldName, tokens.RequestToken ?? "", done is null ? null : DoneTexts.GetValueOrDefault(done), time.GetUtcNow());
    }

    private static async Task<IResult> FloorAsync(HttpContext http, string? done, RoutingDb db, IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var marker = await ConsoleStore.FloorMarkerAsync(tx, ct);
        var held = (await ConversationStore.ListAsync(tx, null, ConversationStatus.Held, FloorRows, ct)).OrderBy(c => c.HoldUntil).ThenBy(c => c.WaitingSince).ToList();
        var queued = await ConversationStore.QueueAsync(tx, FloorRows, ct);
        var agents = await AgentStore.ListAsync(tx, ct);
        var open = await ConversationStore.CountAsync(tx, ConversationStatus.Open, ct);
        var names = await ConsoleStore.NamesAsync(tx, held.Concat(queued).Select(c => c.CustomerId), ct);
        return Page<FloorPage>(PageFor(http, antiforgery, time, done) with { Marker = marker }, new FloorModel(held, queued, agents, names, open));
    }

    private static async Task<IResult> ConversationAsync(HttpContext http, string id, string? done, RoutingDb db, IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var conversationId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath);
        }
        await using var tx = await db.BeginAsync(ct);
        var marker = await ConsoleStore.FloorMarkerAsync(tx, ct);
        if (await ConversationStore.GetAsync(tx, conversationId, ct) is not { } conversation)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such conversation.", ConsoleSetup.BasePath);
        }
        var page = PageFor(http, antiforgery, time, done) with { Marker = marker };
        var names = await ConsoleStore.NamesAsync(tx, [conversation.CustomerId], ct);
        var messages = await ConsoleStore.MessagesAsync(tx, conversationId, TimelineMessages, ct);
        var decisions = await ConversationStore.DecisionsAsync(tx, conversationId, ct);
        var agents = await AgentStore.ListAsync(tx, ct);
        return Page<ConversationPage>(page, new ConversationModel(conversation, page.CustomerName(names, conversation.CustomerId),
            Timeline(conversation, messages, decisions), agents, agents.SelectMany(a => a.Teams).Distinct().Order().ToList()));
    }

    /// <summary>The customer's messages, routing's decisions in words and the agents' replies, in the order they happened.</summary>
    private static List<TimelineEntry> Timeline(ConversationRow conversation, IReadOnlyList<ConversationMessage> messages, IReadOnlyList<DecisionRow> decisions)
    {
        var entries = new List<(DateTimeOffset At, int Order, TimelineEntry Entry)>();
        foreach (var m in messages)
        {
            var text = string.Join(": ", new[] { m.Subject, m.Text }.Where(t => !string.IsNullOrWhiteSpace(t)));
            var attachments = m.Attachments.Count == 0 ? null : "Attached: " + string.Join(", ", m.Attachments.Select(a => a.FileName ?? a.ContentType));
            var isPublic = m.Visibility == MessageVisibility.Public;
            entries.Add((m.ReceivedAt, 0, new TimelineEntry(m.ReceivedAt, "message", text.Length == 0 ? "(no text)" : text, attachments,
                isPublic ? $"in public: a {m.Post?.Kind ?? "post"} on {m.Channel}" : null,
                isPublic && Uri.TryCreate(m.Post?.Permalink, UriKind.Absolute, out var link) && link.Scheme == Uri.UriSchemeHttps ? link.AbsoluteUri : null)));
        }
        var lastHeld = conversation.Status == ConversationStatus.Held ? decisions.LastOrDefault(d => d.Outcome == RoutingOutcomes.Held) : null;
        foreach (var d in decisions)
        {
            var at = ConsoleFormat.Utc(d.At);
            var until = d == lastHeld && conversation.HoldUntil is { } h ? ConsoleFormat.Utc(h) : (DateTimeOffset?)null;
            entries.Add((at, 1, new TimelineEntry(at, "decision", DecisionText.Describe(d, until), null)));
        }
        if (conversation.FirstResponseAt is { } first)
        {
            var at = ConsoleFormat.Utc(first);
            entries.Add((at, 2, new TimelineEntry(at, "reply", "The first reply an agent wrote reached the customer.", null)));
        }
        if (conversation.LastReplyAt is { } last && last != conversation.FirstResponseAt)
        {
            var at = ConsoleFormat.Utc(last);
            entries.Add((at, 2, new TimelineEntry(at, "reply", "The latest reply reached the customer.", null)));
        }
        return entries.OrderBy(e => e.At).ThenBy(e => e.Order).Select(e => e.Entry).ToList();
    }

    private static async Task<IResult> AgentAsync(HttpContext http, string id, string? done, RoutingDb db, IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var marker = await ConsoleStore.FloorMarkerAsync(tx, ct);
        if (await AgentStore.GetAsync(tx, id, ct) is not { } agent)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such agent.", ConsoleSetup.BasePath);
        }
        var (open, held) = await AgentWorkQuery.ForAgentAsync(tx, id, ct);
        var names = await ConsoleStore.NamesAsync(tx, open.Concat(held).Select(c => c.CustomerId), ct);
        return Page<AgentPage>(PageFor(http, antiforgery, time, done) with { Marker = marker }, new AgentModel(agent, open, held, names));
    }

    private static async Task<IResult> CustomerAsync(HttpContext http, string id, string? done, RoutingDb db, IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct) is not { } customer)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        var conversations = await ConversationStore.ListAsync(tx, customerId, null, 50, ct);
        var merges = await ConsoleStore.MergesIntoAsync(tx, customerId, ct);
        var names = await ConsoleStore.NamesAsync(tx, merges.Select(m => m.MergedId), ct);
        var (notes, tags) = await NoteStore.ForCustomerAsync(tx.Connection, tx.Transaction, customerId, 50, ct);
        var page = PageFor(http, antiforgery, time, done);
        return Page<CustomerPage>(page, new CustomerModel(customer, conversations,
            merges.Select(m => new MergeInto(m.MergedId, page.CustomerName(names, m.MergedId), m.MergedAt, m.Addresses)).ToList(),
            await AgentStore.ListAsync(tx, ct), names, notes, tags));
    }

    private static async Task<IResult> MergePreviewAsync(HttpContext http, string id, string? other, RoutingDb db, CustomerMerger merger,
        IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var survivorId))
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath);
        }
        var query = (other ?? "").Trim();
        if (query.Length is 0 or > 320)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "Name the other customer: an address, a name or an id.", $"{ConsoleSetup.BasePath}/customers/{survivorId}");
        }
        var page = PageFor(http, antiforgery, time, done: null);
        if (!Guid.TryParse(query, out var mergedId))
        {
            IReadOnlyList<CustomerMatch> matches;
            await using (var tx = await db.BeginAsync(ct))
            {
                matches = (await ConsoleStore.SearchAsync(tx, query, 20, ct)).Where(m => m.Id != survivorId).ToList();
            }
            if (matches.Count != 1)
            {
                return Page<MergePreviewPage>(page, new MergePreviewModel(survivorId, query, null, matches));
            }
            mergedId = matches[0].Id;
        }
        var preview = await merger.PreviewAsync(survivorId, mergedId, ct);
        return preview.Survivor is null && preview.Check == MergeCheck.SurvivorNotFound
            ? ConsoleForms.NotDone(http, StatusCodes.Status404NotFound, "There is no such customer.", ConsoleSetup.BasePath)
            : Page<MergePreviewPage>(page, new MergePreviewModel(survivorId, query, preview, []));
    }

    private static async Task<IResult> SearchAsync(HttpContext http, string? q, RoutingDb db, IAntiforgery antiforgery, TimeProvider time, CancellationToken ct)
    {
        var query = (q ?? "").Trim();
        if (query.Length > 320)
        {
            return ConsoleForms.NotDone(http, StatusCodes.Status400BadRequest, "That is longer than any address or name.", ConsoleSetup.BasePath + "/search");
        }
        var results = new List<(CustomerMatch, CustomerView?)>();
        if (query.Length > 0)
        {
            await using var tx = await db.BeginAsync(ct);
            foreach (var match in await ConsoleStore.SearchAsync(tx, query, 20, ct))
            {
                results.Add((match, await CustomerStore.GetAsync(tx.Connection, tx.Transaction, match.Id, ct)));
            }
        }
        return Page<SearchPage>(PageFor(http, antiforgery, time, done: null), new SearchModel(query, results));
    }

    private static IResult Page<TPage>(ConsolePage page, object model) where TPage : IComponent => Render<TPage>(page, model);

    /// <summary>
    /// <typeparamref name="TPage"/> as the response, <paramref name="page"/> and <paramref name="model"/> cascaded to it (the
    /// views take routing's internal types, which a component's public parameters cannot).
    /// </summary>
    public static IResult Render<TPage>(ConsolePage page, object model, int status = StatusCodes.Status200OK) where TPage : IComponent
    {
        RenderFragment content = builder =>
        {
            builder.OpenComponent<CascadingValue<ConsolePage>>(0);
            builder.AddComponentParameter(1, nameof(CascadingValue<ConsolePage>.Value), page);
            builder.AddComponentParameter(2, nameof(CascadingValue<ConsolePage>.IsFixed), true);
            builder.AddComponentParameter(3, nameof(CascadingValue<ConsolePage>.ChildContent), (RenderFragment)(inner =>
            {
                var cascade = typeof(CascadingValue<>).MakeGenericType(model.GetType());
                inner.OpenComponent(0, cascade);
                inner.AddComponentParameter(1, "Value", model);
                inner.AddComponentParameter(2, "IsFixed", true);
                inner.AddComponentParameter(3, "ChildContent", (RenderFragment)(view =>
                {
                    view.OpenComponent<TPage>(0);
                    view.CloseComponent();
                }));
                inner.CloseComponent();
            }));
            builder.CloseComponent();
        };
        return new RazorComponentResult<ConsoleRoot>(new Dictionary<string, object?> { [nameof(ConsoleRoot.Content)] = content }) { StatusCode = status };
    }
}
