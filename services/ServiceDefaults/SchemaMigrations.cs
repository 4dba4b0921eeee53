using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Routing.ServiceDefaults;

/// <summary>
/// Applies a service's numbered, forward-only SQL scripts (embedded resources under <c>resourcePrefix</c>),
/// each in its own transaction, recorded in <c>historyTable</c>, under a PostgreSQL advisory lock so that
/// replicas starting together apply each once. Services sharing a database keep their own history table
/// and lock key.
/// </summary>
public class SchemaMigrations(NpgsqlDataSource dataSource, Assembly assembly, string resourcePrefix, string historyTable, long lockKey, ILogger logger)
{
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                create table if not exists {historyTable} (
                    version text primary key,
                    applied_at timestamptz not null default now()
                )
                """, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition(
                $"select version from {historyTable}", cancellationToken: cancellationToken))).ToHashSet();

            var done = new List<string>();
            foreach (var (version, sql) in Scripts())
            {
                if (applied.Contains(version))
                {
                    continue;
                }
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    $"insert into {historyTable} (version) values (@version)", new { version }, tx, cancellationToken: cancellationToken));
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version}", version);
                done.Add(version);
            }
            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@lockKey)", new { lockKey }, cancellationToken: CancellationToken.None));
        }
    }

    public IEnumerable<(string Version, string Sql)> Scripts()
    {
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name[resourcePrefix.Length..^".sql".Length], reader.ReadToEnd());
        }
    }
}
