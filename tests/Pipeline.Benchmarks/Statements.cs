using System.Text.RegularExpressions;
using Npgsql;

namespace Routing.Pipeline.Benchmarks;

/// <summary>One statement's share of PostgreSQL's time over a step (pg_stat_statements, every database of the instance).</summary>
public sealed record Statement(string Database, string Text, long Calls, double TotalMs)
{
    public double MeanMs => Calls == 0 ? 0 : TotalMs / Calls;
}

/// <summary>
/// What PostgreSQL spent its time on during a step: pg_stat_statements read before and after (the benchmark's user
/// sees its own statements; every service connects as that user), the top statements by total execution time.
/// </summary>
public static partial class Statements
{
    public static async Task<IReadOnlyDictionary<(string, long), Statement>> ReadAsync(string connectionString)
    {
        var rows = new Dictionary<(string, long), Statement>();
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select d.datname, s.queryid, s.query, s.calls, s.total_exec_time
            from pg_stat_statements s join pg_database d on d.oid = s.dbid
            where s.queryid is not null
            """, db);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var key = (reader.GetString(0), reader.GetInt64(1));
            var row = new Statement(key.Item1, reader.GetString(2), reader.GetInt64(3), reader.GetDouble(4));
            rows[key] = rows.TryGetValue(key, out var other) ? row with { Calls = row.Calls + other.Calls, TotalMs = row.TotalMs + other.TotalMs } : row;
        }
        return rows;
    }

    /// <summary>Transactions committed in every database of the instance so far (pg_stat_database).</summary>
    public static async Task<long> CommitsAsync(string connectionString)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("select sum(xact_commit)::bigint from pg_stat_database", db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Statements executed between two readings.</summary>
    public static long Calls(IReadOnlyDictionary<(string, long), Statement> before, IReadOnlyDictionary<(string, long), Statement> after) =>
        after.Sum(a => a.Value.Calls - (before.TryGetValue(a.Key, out var b) ? b.Calls : 0));

    /// <summary>The ten statements that took the most time between two readings.</summary>
    public static IReadOnlyList<Statement> Since(IReadOnlyDictionary<(string, long), Statement> before, IReadOnlyDictionary<(string, long), Statement> after) =>
        after.Select(a => before.TryGetValue(a.Key, out var b) ? a.Value with { Calls = a.Value.Calls - b.Calls, TotalMs = a.Value.TotalMs - b.TotalMs } : a.Value)
            .Where(s => s.Calls > 0)
            .OrderByDescending(s => s.TotalMs)
            .Take(10)
            .Select(s => s with { Text = Shorten(s.Text) })
            .ToList();

    private static string Shorten(string text)
    {
        var flat = Whitespace().Replace(text, " ").Trim();
        return flat.Length <= 110 ? flat : flat[..107] + "...";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
