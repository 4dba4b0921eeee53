using System.Globalization;
using Npgsql;

namespace Routing.Pipeline.Benchmarks;

/// <summary>
/// Where one message's time went, from the stores of the stack: the adapter's receivedAt and routing's commit
/// (routing's messages table), the gateway taking the event and queueing its delivery (gateway_deliveries), and the
/// tool's arrival. All clocks are this machine's.
/// </summary>
public sealed record Journey(Sent Sent, DateTimeOffset? ReceivedAt, DateTimeOffset? RoutedAt, DateTimeOffset? QueuedAt, Arrival? Arrival)
{
    public double? Webhook => Ms(Sent.At, Sent.AnsweredAt);
    public double? Routing => Ms(ReceivedAt, RoutedAt);
    public double? Gateway => Ms(RoutedAt, QueuedAt);
    public double? Delivery => Ms(QueuedAt, Arrival?.At);
    public double? EndToEnd => Ms(Sent.At, Arrival?.At);

    private static double? Ms(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } t ? (t - f).TotalMilliseconds : null;
}

/// <summary>The stages a message passes, as the report names them.</summary>
public static class Stage
{
    public static readonly IReadOnlyList<(string Name, Func<Journey, double?> Of)> All =
    [
        ("webhook answered", j => j.Webhook),
        ("received → routed", j => j.Routing),
        ("routed → gateway", j => j.Gateway),
        ("gateway → tool 2xx", j => j.Delivery),
        ("end to end", j => j.EndToEnd),
    ];
}

public static class Journeys
{
    /// <summary>Joins what was sent with the routing and gateway databases and the tool's arrivals.</summary>
    public static async Task<IReadOnlyList<Journey>> ReadAsync(string routingDb, string gatewayDb, IReadOnlyList<Sent> sent, Tool tool)
    {
        var tokens = sent.Select(s => s.Token).ToArray();
        var routed = new Dictionary<string, (DateTimeOffset Received, DateTimeOffset Routed)>();
        await using (var db = new NpgsqlConnection(routingDb))
        {
            await db.OpenAsync();
            // the provider message ids the adapters derive from the token; matched by the token in the text
            await using var command = new NpgsqlCommand(
                $"select substring(body from '{Traffic.TokenPattern}'), received_at, routed_at from messages where substring(body from '{Traffic.TokenPattern}') = any(@tokens)", db);
            command.Parameters.AddWithValue("tokens", tokens);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                routed[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2));
            }
        }
        var arrivals = sent.Select(s => tool.Arrivals.GetValueOrDefault(s.Token)).ToList();
        var queued = new Dictionary<Guid, DateTimeOffset>();
        await using (var db = new NpgsqlConnection(gatewayDb))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("select id, created_at from gateway_deliveries where id = any(@ids)", db);
            command.Parameters.AddWithValue("ids", arrivals.Where(a => a is not null).Select(a => a!.DeliveryId).Distinct().ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                queued[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }
        return sent.Select((s, i) =>
        {
            var (received, routedAt) = routed.TryGetValue(s.Token, out var r) ? r : default;
            var arrival = arrivals[i];
            return new Journey(s, routed.ContainsKey(s.Token) ? received : null, routed.ContainsKey(s.Token) ? routedAt : null,
                arrival is not null && queued.TryGetValue(arrival.DeliveryId, out var q) ? q : null, arrival);
        }).ToList();
    }
}

/// <summary>Percentiles of a sample, nearest rank.</summary>
public sealed record Percentiles(int Count, double P50, double P99, double P999, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, Rank(0.50), Rank(0.99), Rank(0.999), sorted[^1]);
    }

    public static string Ms(double value) => double.IsNaN(value) ? "-" : value switch
    {
        < 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        < 10_000 => value.ToString("F0", CultureInfo.InvariantCulture),
        _ => (value / 1000).ToString("F1", CultureInfo.InvariantCulture) + " s",
    };
}
