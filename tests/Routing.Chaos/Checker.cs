using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Routing.Adapters.Testing;

namespace Routing.Chaos;

/// <summary>What the stores hold at one moment: read before a scenario (a baseline) and after it.</summary>
public sealed record StoreReading(long ErrorQueueMessages, long OutboxWaiting, long OutboxQuarantined, IReadOnlyDictionary<string, long> ErrorQueues);

/// <summary>
/// Reads every store the stack keeps (routing's and the gateway's PostgreSQL databases, RabbitMQ's queues with the error
/// queues, the provider sandbox's record of sends, the agents' tools) and holds what a campaign sent against it.
/// </summary>
public sealed class Checker(ChaosStack stack, string run)
{
    /// <summary>The campaign run whose customers, agents and replies this checker counts.</summary>
    public string Run => run;

    /// <summary>The campaign's messages routing recorded, with how many rows each has (more than one is a duplicate).</summary>
    public async Task<IReadOnlyDictionary<string, int>> RoutedAsync(CancellationToken ct = default)
    {
        await using var db = await stack.RoutingDbAsync(ct);
        await using var command = new NpgsqlCommand(
            "select substring(body from 'q[0-9]{8}x[0-9]{6}'), count(*)::int from messages where body like @pattern group by 1", db);
        command.Parameters.AddWithValue("pattern", $"%q{run}x%");
        var routed = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            routed[reader.GetString(0)] = reader.GetInt32(1);
        }
        return routed;
    }

    /// <summary>How many times each reply reached a provider (the sandbox records every send request).</summary>
    public async Task<IReadOnlyDictionary<string, int>> SentRepliesAsync(CancellationToken ct = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sent = await LocalStack.SentAsync(http);
        var prefix = $"r{run}y";
        return sent.EnumerateArray()
            .Select(r => r.GetProperty("body").GetRawText())
            .Select(body => body.IndexOf(prefix, StringComparison.Ordinal) is var at and >= 0 ? body.Substring(at, prefix.Length + 6) : null)
            .OfType<string>()
            .GroupBy(t => t)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    public async Task<StoreReading> ReadStoresAsync(CancellationToken ct = default)
    {
        using var management = ChaosStack.Management();
        var queues = await management.GetFromJsonAsync<JsonElement>("/api/queues?columns=name,messages", ct);
        var errors = queues.EnumerateArray()
            .Where(q => q.GetProperty("name").GetString() is { } name && (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal)))
            .ToDictionary(q => q.GetProperty("name").GetString()!, q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
        await using var db = await stack.RoutingDbAsync(ct);
        return new StoreReading(errors.Values.Sum(), await CountAsync(db, "select count(*) from outbox", ct),
            await CountAsync(db, "select count(*) from outbox_quarantine", ct), errors);
    }

    /// <summary>The queues consumers read (the error and skipped queues aside).</summary>
    public async Task<IReadOnlyList<string>> WorkQueuesAsync(CancellationToken ct = default)
    {
        using var management = ChaosStack.Management();
        var queues = await management.GetFromJsonAsync<JsonElement>("/api/queues?columns=name,consumers", ct);
        return queues.EnumerateArray()
            .Where(q => q.TryGetProperty("consumers", out var consumers) && consumers.ValueKind == JsonValueKind.Number && consumers.GetInt32() > 0)
            .Select(q => q.GetProperty("name").GetString()!)
            .Where(name => !name.EndsWith("_error", StringComparison.Ordinal) && !name.EndsWith("_skipped", StringComparison.Ordinal) && !name.StartsWith("amq.", StringComparison.Ordinal)
                && !name.Contains("_bus_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The invariants routing keeps whatever happens: no agent over capacity, an agent's count of conversations true, one open conversation per customer.</summary>
    public async Task<(long OverCapacity, long CountDrift, long TwoOpen)> InvariantsAsync(CancellationToken ct = default)
    {
        await using var db = await stack.RoutingDbAsync(ct);
        var overCapacity = await CountAsync(db,
            "select count(*) from agents a where (select count(*) from conversations c where c.agent_id = a.id and c.status = 'open') > a.capacity", ct);
        var drift = await CountAsync(db,
            "select count(*) from agents a where a.open_count <> (select count(*) from conversations c where c.agent_id = a.id and c.status = 'open')", ct);
        var twoOpen = await CountAsync(db,
            "select count(*) from (select customer_id from conversations where status <> 'closed' group by customer_id having count(*) > 1) twice", ct);
        return (overCapacity, drift, twoOpen);
    }

    /// <summary>Deliveries to the campaign's agents' tools the gateway has not delivered (pending) or gave up on (exhausted).</summary>
    public async Task<(long Pending, long Exhausted)> ToolDeliveriesAsync(CancellationToken ct = default)
    {
        await using var db = await stack.GatewayDbAsync(ct);
        await using var command = new NpgsqlCommand("""
            select count(*) filter (where d.status = 'pending'), count(*) filter (where d.status = 'exhausted')
            from gateway_deliveries d join gateway_targets t on t.id = d.target_id where t.agent_id like @agents
            """, db);
        command.Parameters.AddWithValue("agents", $"chaos-{run}-%");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> CountAsync(NpgsqlConnection db, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
