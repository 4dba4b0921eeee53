using System.Diagnostics;
using System.Net.Http.Headers;
using MassTransit;
using Npgsql;

namespace Routing.Pipeline.Benchmarks;

/// <summary>
/// The raw ceilings of the parts a message crosses, measured on the same machine and servers in the same run: a bare
/// HTTP endpoint (what a webhook and a delivery cost at the least), one hop through RabbitMQ with MassTransit (publish
/// with confirms, consume), and PostgreSQL commits (one durable transaction each). A message through the pipeline
/// takes two HTTP requests, three broker hops and four commits at the least, so these bound what the stack can reach.
/// </summary>
public static class Ceilings
{
    private const int Concurrency = 32;

    public static async Task<double> HttpAsync(string url, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency });
        // a Twilio webhook's size
        var body = new byte[600];
        Array.Fill(body, (byte)'a');
        return (await ClosedLoopAsync(duration, async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            using var response = await http.PostAsync(url, content);
            response.EnsureSuccessStatusCode();
        })).Rate;
    }

    public static async Task<double> PostgresAsync(string connectionString, TimeSpan duration)
    {
        var scratch = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Concurrency * 2 }.ConnectionString;
        await using var source = NpgsqlDataSource.Create(scratch);
        await using (var setup = await source.OpenConnectionAsync())
        {
            await new NpgsqlCommand("create table if not exists bench_ceiling (id bigint generated always as identity primary key, at timestamptz not null, body text not null)", setup)
                .ExecuteNonQueryAsync();
        }
        try
        {
            return (await ClosedLoopAsync(duration, async () =>
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var command = new NpgsqlCommand("insert into bench_ceiling (at, body) values (now(), 'Question about my order')", connection);
                await command.ExecuteNonQueryAsync();
            })).Rate;
        }
        finally
        {
            await using var cleanup = await source.OpenConnectionAsync();
            await new NpgsqlCommand("drop table bench_ceiling", cleanup).ExecuteNonQueryAsync();
        }
    }

    public static async Task<double> BrokerAsync(string url, TimeSpan duration)
    {
        var consumed = 0;
        var uri = new Uri(url);
        var user = uri.UserInfo.Split(':');
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri.Host, (ushort)uri.Port, "/", h =>
            {
                h.Username(user[0]);
                h.Password(user[1]);
            });
            cfg.ReceiveEndpoint("bench-e2e-ceiling", e =>
            {
                e.PrefetchCount = 256;
                e.Handler<CeilingPing>(_ =>
                {
                    Interlocked.Increment(ref consumed);
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        try
        {
            // published for the duration; the rate is every message consumed over the time until the last one was
            var started = Stopwatch.GetTimestamp();
            var (published, _) = await ClosedLoopAsync(duration, () => bus.Publish(new CeilingPing(Guid.NewGuid(), "Question about my order")));
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
            while (Volatile.Read(ref consumed) < published && Stopwatch.GetTimestamp() < until)
            {
                await Task.Delay(5);
            }
            return Volatile.Read(ref consumed) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>How many times <paramref name="operation"/> ran, back to back by 32 callers, and the rate.</summary>
    private static async Task<(int Count, double Rate)> ClosedLoopAsync(TimeSpan duration, Func<Task> operation)
    {
        var count = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await operation();
                Interlocked.Increment(ref count);
            }
        }));
        return (count, count / Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}

/// <summary>The ceiling's message: an id and a short text.</summary>
public sealed record CeilingPing(Guid Id, string Text);
