using Dapper;
using Routing.Contracts;

namespace Routing.Database;

/// <summary>
/// The delivery nonces of providers whose signature does not cover the message (InboundMessageReceived.DeliveryNonce):
/// the first message with a nonce keeps it, in the batch's transaction; a different message with a nonce already kept
/// (here or by any replica: the insert waits for the other transaction) is a replayed signature. Nonces are kept a day.
/// </summary>
internal static class DeliveryNonces
{
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    /// <summary>The ids of the messages whose nonce belongs to another message.</summary>
    public static async Task<IReadOnlySet<Guid>> ReplaysAsync(RoutingTransaction tx, IReadOnlyList<InboundMessageReceived> messages, CancellationToken ct)
    {
        // the first message of the batch with a nonce keeps it
        var first = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message.DeliveryNonce is { Length: > 0 } nonce)
            {
                first.TryAdd(nonce, message.MessageId);
            }
        }
        if (first.Count == 0)
        {
            return new HashSet<Guid>();
        }
        var nonces = first.Keys.ToArray();
        await tx.Connection.ExecuteAsync(new CommandDefinition(
            """
            delete from delivery_nonces where seen_at < @horizon;
            insert into delivery_nonces (nonce, message_id, seen_at)
            select * from unnest(@nonces, @ids, array_fill(@now::timestamptz, array[cardinality(@nonces)]))
            on conflict (nonce) do nothing;
            """,
            new { horizon = (tx.Now - Kept).UtcDateTime, nonces, ids = nonces.Select(n => first[n]).ToArray(), now = tx.Now.UtcDateTime },
            tx.Transaction, cancellationToken: ct));
        var owners = (await tx.Connection.QueryAsync<(string Nonce, Guid MessageId)>(new CommandDefinition(
            "select nonce, message_id from delivery_nonces where nonce = any(@nonces)", new { nonces }, tx.Transaction, cancellationToken: ct)))
            .ToDictionary(o => o.Nonce, o => o.MessageId, StringComparer.Ordinal);
        return messages
            .Where(m => m.DeliveryNonce is { Length: > 0 } nonce && owners.TryGetValue(nonce, out var owner) && owner != m.MessageId)
            .Select(m => m.MessageId).ToHashSet();
    }
}
