using Routing.Access;
using Routing.Database;

namespace Routing.Supervision;

/// <summary>What every page of the console knows: who is signed in, the form token their forms post, what was just done.</summary>
internal sealed record ConsolePage(OperatorCaller? Operator, string FormField, string FormToken, string? Done, DateTimeOffset Now)
{
    public bool CanAct => Operator?.IsAdmin == true;

    /// <summary>The floor's change marker when the page was read: its event stream reports changes after it.</summary>
    public string? Marker { get; init; }

    public string CustomerName(IReadOnlyDictionary<Guid, string> names, Guid customerId) =>
        names.TryGetValue(customerId, out var name) ? name : ConsoleFormat.Customer(customerId);
}

internal sealed record FloorModel(
    IReadOnlyList<ConversationRow> Held, IReadOnlyList<ConversationRow> Queued, IReadOnlyList<AgentRow> Agents,
    IReadOnlyDictionary<Guid, string> Names, int OpenCount);

/// <summary>
/// A line of the timeline. <paramref name="Public"/> says, for a customer's message everyone can read, what it is ("a comment
/// on facebook"), and <paramref name="Link"/> where to see it.
/// </summary>
internal sealed record TimelineEntry(DateTimeOffset At, string Kind, string Text, string? Detail, string? Public = null, string? Link = null);

internal sealed record ConversationModel(
    ConversationRow Conversation, string CustomerName, IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<AgentRow> Agents, IReadOnlyList<string> Teams);

internal sealed record AgentModel(AgentRow Agent, IReadOnlyList<ConversationRow> Open, IReadOnlyList<ConversationRow> HeldForThem, IReadOnlyDictionary<Guid, string> Names);

internal sealed record CustomerModel(
    CustomerView Customer, IReadOnlyList<ConversationRow> Conversations, IReadOnlyList<MergeInto> Merges, IReadOnlyList<AgentRow> Agents,
    IReadOnlyDictionary<Guid, string> Names, IReadOnlyList<Contracts.CustomerNote> Notes, IReadOnlyList<string> Tags);

/// <summary>A merge into the customer that can be undone: who was merged and when, and the addresses that would go back.</summary>
internal sealed record MergeInto(Guid MergedId, string MergedName, DateTimeOffset MergedAt, IReadOnlyList<string> Addresses);

internal sealed record SearchModel(string Query, IReadOnlyList<(CustomerMatch Match, CustomerView? View)> Results);

internal sealed record MergePreviewModel(Guid SurvivorId, string Query, Routing.Identity.MergePreview? Preview, IReadOnlyList<CustomerMatch> Choices);

internal sealed record NotDoneModel(string Message, string BackTo);

internal sealed record SignInModel(bool Refused, string ReturnUrl);
