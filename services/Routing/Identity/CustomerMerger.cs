using Routing.Assignment;
using Routing.Contracts;
using Routing.Database;

namespace Routing.Identity;

/// <summary>
/// Merging two customers into one person, and undoing it. A person has one conversation at a time, so a merge of two customers
/// who both have one keeps the one further along (with an agent, then held, then queued; the older on a tie) and closes the
/// other into it: its messages move to the kept conversation and its agent's slot is freed. An unmerge puts every message
/// back and reopens the closed conversation when its customer has nothing else open. Both publish what they did.
/// </summary>
internal sealed class CustomerMerger(RoutingDb db, ConversationLifecycle lifecycle, AgentChooser chooser)
{
    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="survivorId"/> after checking both (the API's and the console's
    /// merge): both exist and neither is merged into someone already. The merged customer's view is null unless merged.
    /// </summary>
    public async Task<(MergeCheck Check, CustomerView? Survivor)> MergeCheckedAsync(Guid survivorId, Guid mergedId, CancellationToken ct)
    {
        if (mergedId == survivorId)
        {
            return (MergeCheck.Itself, null);
        }
        await using var tx = await db.BeginAsync(ct);
        // Both people locked in id order, as routing locks them, so nothing can deadlock with this.
        await CustomerStore.LockAsync(tx.Connection, tx.Transaction, [survivorId, mergedId], ct);
        var (check, _, _) = await CheckAsync(tx, survivorId, mergedId, ct);
        if (check != MergeCheck.Possible)
        {
            return (check, null);
        }
        await MergeAsync(tx, survivorId, mergedId, ct);
        var result = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, survivorId, ct);
        await tx.CommitAsync(ct);
        return (MergeCheck.Possible, result);
    }

    /// <summary>What merging <paramref name="mergedId"/> into <paramref name="survivorId"/> would do, changing nothing.</summary>
    public async Task<MergePreview> PreviewAsync(Guid survivorId, Guid mergedId, CancellationToken ct)
    {
        if (mergedId == survivorId)
        {
            return new MergePreview(MergeCheck.Itself, null, null, null, null);
        }
        await using var tx = await db.BeginAsync(ct);
        var (check, survivor, merged) = await CheckAsync(tx, survivorId, mergedId, ct);
        if (check != MergeCheck.Possible)
        {
            return new MergePreview(check, survivor, merged, null, null);
        }
        var active = await MergeStore.ActiveAsync(tx, [survivorId, mergedId], ct);
        var (kept, absorbed) = Keep(active);
        return new MergePreview(check, survivor, merged, kept, absorbed);
    }

    /// <summary>Whether the merge can happen, with the two people as they are (the preview shows them).</summary>
    private static async Task<(MergeCheck Check, CustomerView? Survivor, CustomerView? Merged)> CheckAsync(
        RoutingTransaction tx, Guid survivorId, Guid mergedId, CancellationToken ct)
    {
        var survivor = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, survivorId, ct);
        var merged = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, mergedId, ct);
        var check = survivor is null ? MergeCheck.SurvivorNotFound
            : merged is null ? MergeCheck.MergedNotFound
            : survivor.MergedInto is not null || merged.MergedInto is not null ? MergeCheck.AlreadyMerged
            : MergeCheck.Possible;
        return (check, survivor, merged);
    }

    /// <summary>Of the two people's active conversations, the one kept (the furthest along, then the older) and the one closed into it.</summary>
    private static (ConversationRow? Kept, ConversationRow? Absorbed) Keep(IReadOnlyList<ConversationRow> active)
    {
        var kept = active.OrderBy(Progress).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id).FirstOrDefault();
        return (kept, active.FirstOrDefault(c => c.Id != kept?.Id));
    }

    /// <summary>Merges <paramref name="mergedId"/> into <paramref name="survivorId"/>; the caller locked both customers and checked them.</summary>
    public async Task<Guid> MergeAsync(RoutingTransaction tx, Guid survivorId, Guid mergedId, CancellationToken ct)
    {
        var mergeId = await CustomerStore.MergeAsync(tx.Connection, tx.Transaction, survivorId, mergedId, tx.Now, ct);
        var (kept, absorbed) = Keep(await MergeStore.ActiveAsync(tx, [survivorId, mergedId], ct));
        IReadOnlyList<Guid> moved = [];
        if (absorbed is not null && kept is not null)
        {
            moved = await MergeStore.MoveMessagesAsync(tx, absorbed.Id, kept.Id, ct);
            await lifecycle.CloseAsync(tx, absorbed, ConversationLifecycle.ClosedByRouting, CloseReasons.Merged, ct);
        }
        var movedConversations = kept is { } k && k.CustomerId != survivorId ? new[] { k.Id } : [];
        foreach (var id in movedConversations)
        {
            await MergeStore.SetCustomerAsync(tx, id, survivorId, ct);
        }
        await MergeStore.RecordAsync(tx, mergeId, kept?.Id, absorbed?.Id, movedConversations, moved, ct);
        tx.Publish(new CustomersMerged
        {
            MergeId = mergeId,
            SurvivorId = survivorId,
            MergedId = mergedId,
            KeptConversationId = kept?.Id,
            AbsorbedConversationId = absorbed?.Id,
            AgentId = kept?.Status == ConversationStatus.Open ? kept.AgentId : null,
            MovedMessageIds = moved,
            MergedAt = tx.Now,
        });
        return mergeId;
    }

    /// <summary>Undoes the latest merge into <paramref name="survivorId"/> (of <paramref name="mergedId"/> when given); null when there is none.</summary>
    public async Task<MergeRecord?> UnmergeAsync(Guid survivorId, Guid? mergedId, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.LatestMergedAsync(tx.Connection, tx.Transaction, survivorId, mergedId, ct) is not { } restoredId)
        {
            return null;
        }
        await CustomerStore.LockAsync(tx.Connection, tx.Transaction, [survivorId, restoredId], ct);
        // Under the locks, the merge of exactly that customer (a concurrent unmerge may have undone it meanwhile).
        var merge = await CustomerStore.UnmergeAsync(tx.Connection, tx.Transaction, survivorId, restoredId, tx.Now, ct);
        if (merge is null)
        {
            return null;
        }
        // Lock what will move before moving it, in id order (as every routing transaction locks conversations).
        await MergeStore.ActiveAsync(tx, [survivorId, merge.MergedId], ct);
        var (messages, conversations) = await MergeStore.UndoAsync(tx, new UnmergeScope(merge.Id, survivorId, merge.MergedId,
            AgentRow.Utc(merge.MergedAt), merge.KeptConversation, merge.AbsorbedConversation, merge.MovedConversations, merge.MovedIdentities), ct);
        var reopened = new List<Guid>();
        if (merge.AbsorbedConversation is { } absorbed && await MergeStore.ReopenAsync(tx, absorbed, ct) is { } conversation)
        {
            await chooser.RouteAsync(tx, conversation, RoutingTriggers.Unmerged, ct);
            reopened.Add(conversation.Id);
        }
        tx.Publish(new CustomersUnmerged
        {
            MergeId = merge.Id,
            SurvivorId = survivorId,
            RestoredId = merge.MergedId,
            MovedMessages = messages,
            Conversations = conversations,
            ReopenedConversationIds = reopened,
            UnmergedAt = tx.Now,
        });
        await tx.CommitAsync(ct);
        return merge;
    }

    private static int Progress(ConversationRow c) => c.Status switch
    {
        ConversationStatus.Open => 0,
        ConversationStatus.Held => 1,
        _ => 2,
    };
}

/// <summary>Whether a merge can happen, and why not.</summary>
internal enum MergeCheck
{
    Possible,
    Itself,
    SurvivorNotFound,
    MergedNotFound,
    AlreadyMerged,
}

/// <summary>A merge's preview: the two people, and their conversation that would be kept and the one closed into it.</summary>
internal sealed record MergePreview(MergeCheck Check, CustomerView? Survivor, CustomerView? Merged, ConversationRow? Kept, ConversationRow? Absorbed);
