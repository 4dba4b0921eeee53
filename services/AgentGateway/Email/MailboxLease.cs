using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Email;

/// <summary>
/// Which gateway replica reads the agents' reply mailbox: the one holding a PostgreSQL advisory lock on the mailbox,
/// on a connection it keeps open. The others wait and try again; when the holder stops, the lock is released, and when
/// it dies, its session ends and the lock with it. Reading stays idempotent (a mail's Message-ID is its reply's
/// Idempotency-Key), so the moment two replicas might both read (the database lost and the lock with it, while the old
/// holder still reads) sends nothing twice; the lease keeps one IMAP session on the mailbox instead of every replica
/// racing for the same mails.
/// </summary>
internal sealed class MailboxLease : IAsyncDisposable
{
    private const string Lock = "hashtext('gateway_email_reply_watcher'), hashtext(@mailbox)";
    private readonly NpgsqlConnection _connection;
    private readonly string _mailbox;

    private MailboxLease(NpgsqlConnection connection, string mailbox) => (_connection, _mailbox) = (connection, mailbox);

    /// <summary>The lease on <paramref name="mailbox"/>, or null while another replica holds it.</summary>
    public static async Task<MailboxLease?> TryAcquireAsync(NpgsqlDataSource db, string mailbox, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"select pg_try_advisory_lock({Lock})", new { mailbox }, cancellationToken: ct)))
            {
                return new MailboxLease(connection, mailbox);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The PostgreSQL backend whose session holds the lock.</summary>
    public int SessionId => _connection.ProcessID;

    /// <summary>Whether the lease still holds: its session answers (a lost session took the lock with it).</summary>
    public async Task<bool> HeldAsync(CancellationToken ct)
    {
        try
        {
            return await _connection.ExecuteScalarAsync<bool>(new CommandDefinition("select true", cancellationToken: ct));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The connection goes back to the pool with its session: the lock must be given back explicitly.
            await _connection.ExecuteAsync($"select pg_advisory_unlock({Lock})", new { mailbox = _mailbox });
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // the session is gone, and the lock with it
        }
        await _connection.DisposeAsync();
    }
}
