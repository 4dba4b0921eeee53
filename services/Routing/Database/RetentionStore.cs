using Dapper;
using Npgsql;

namespace Routing.Database;

/// <summary>
/// Retention's deletes, each in batches of <see cref="Batch"/> rows (short transactions, whatever the backlog), each kind by
/// its cutoff: what customers wrote in conversations closed before it (overwritten as an erasure does, the rows kept for
/// statistics), receipts of such conversations, presence changes, quarantined events, and profiles of addresses nobody has.
/// </summary>
internal static class RetentionStore
{
    public const int Batch = 2000;

    /// <summary>Each kind's statement: @cutoff, at most @batch rows; run until it changes fewer.</summary>
    public static readonly IReadOnlyDictionary<string, string> Statements = new Dictionary<string, string>
    {
        ["messages"] = """
            with expired as (
                select m.id from messages m join conversations c on c.id = m.conversation_id
                where c.status = 'closed' and c.closed_at < @cutoff and m.sender_value not in ('expired', 'erased')
                limit @batch),
            nonces as (delete from delivery_nonces where message_id in (select id from expired))
            update messages set sender_value = 'expired', sender_display_name = null, subject = null, body = null, attachments = '[]',
                thread_key = null, provider_message_id = 'expired:' || id::text, reply_to_provider_message_id = null, post = null
            where id in (select id from expired)
            """,
        ["receipts"] = """
            delete from decisions where id in (
                select d.id from decisions d join conversations c on c.id = d.conversation_id
                where c.status = 'closed' and c.closed_at < @cutoff limit @batch)
            """,
        ["presence_changes"] = "delete from presence_changes where id in (select id from presence_changes where at < @cutoff limit @batch)",
        ["outbox_quarantine"] = "delete from outbox_quarantine where ctid in (select ctid from outbox_quarantine where quarantined_at < @cutoff limit @batch)",
        ["unclaimed_profiles"] = """
            delete from address_profiles where ctid in (
                select p.ctid from address_profiles p
                where p.observed_at < @cutoff and not exists (select 1 from identities i where i.kind = p.kind and i.value = p.value)
                limit @batch)
            """,
    };

    /// <summary>One batch of one kind; returns the rows it changed.</summary>
    public static Task<int> SweepAsync(NpgsqlConnection connection, string kind, DateTimeOffset cutoff, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(Statements[kind], new { cutoff, batch = Batch }, cancellationToken: ct));
}
