using Npgsql;

namespace Routing.Testing;

/// <summary>
/// Where a piece of a person's data still stands in a database: every column of every table of the public schema that can
/// hold text (text, jsonb, arrays, and bytea read as UTF-8) searched for it, for erasure tests that must find nothing.
/// </summary>
public static class DatabaseScan
{
    /// <summary>"table.column" for each column that holds <paramref name="needle"/> in some row.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(NpgsqlDataSource db, string needle)
    {
        await using var connection = await db.OpenConnectionAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var list = new NpgsqlCommand("""
            select c.table_name, c.column_name, c.data_type from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
              and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        var found = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            var test = type == "bytea" ? $"position(convert_to(@needle, 'UTF8') in \"{column}\") > 0" : $"strpos(\"{column}\"::text, @needle) > 0";
            await using var query = new NpgsqlCommand($"select exists (select 1 from \"{table}\" where {test})", connection);
            query.Parameters.AddWithValue("needle", needle);
            if (await query.ExecuteScalarAsync() is true)
            {
                found.Add($"{table}.{column}");
            }
        }
        return found;
    }
}
