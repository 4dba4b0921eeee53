using Dapper;
using Routing.Database;

namespace Routing.Identity;

/// <summary>A customer's preferred agents, in order, as the API and the console set them: every id an existing agent, once.</summary>
internal static class PreferredAgentsChange
{
    /// <summary>Sets them; the customer's view afterwards, or the field at fault, or neither when there is no such customer.</summary>
    public static async Task<(CustomerView? Customer, (string Field, string Message)? Problem)> SetAsync(
        RoutingDb db, Guid customerId, IReadOnlyList<string> agentIds, CancellationToken ct)
    {
        for (var i = 0; i < agentIds.Count; i++)
        {
            if (!Problems.IsValidId(agentIds[i]))
            {
                return (null, ($"[{i}]", "is not an agent id"));
            }
        }
        if (agentIds.Distinct(StringComparer.Ordinal).Count() != agentIds.Count)
        {
            return (null, ("body", "lists an agent more than once"));
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct) is null)
        {
            return (null, null);
        }
        var known = (await tx.Connection.QueryAsync<string>(tx.Command("select id from agents where id = any(@agentIds)", new { agentIds = agentIds.ToArray() }, ct))).ToHashSet();
        for (var i = 0; i < agentIds.Count; i++)
        {
            if (!known.Contains(agentIds[i]))
            {
                return (null, ($"[{i}]", $"agent '{agentIds[i]}' does not exist"));
            }
        }
        await CustomerStore.SetPreferredAgentsAsync(tx.Connection, tx.Transaction, customerId, agentIds, ct);
        var customer = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct);
        await tx.CommitAsync(ct);
        return (customer, null);
    }
}
