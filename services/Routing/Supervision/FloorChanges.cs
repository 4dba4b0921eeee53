using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Routing.Database;

namespace Routing.Supervision;

/// <summary>
/// Tells every open console page that the floor changed: one poll of a cheap marker (<see cref="ConsoleStore.FloorMarkerAsync"/>)
/// per interval while anyone watches, whichever replica wrote the change, sent to each page as a server-sent event
/// ("changed"); the page then fetches itself again. A database outage only pauses it.
/// </summary>
internal sealed class FloorChanges(RoutingDb db, TimeProvider time, IOptions<ConsoleOptions> options, ILogger<FloorChanges> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly HashSet<Watcher> _watchers = [];

    public static void Map(RouteGroupBuilder console) =>
        console.MapGet("/events", (FloorChanges changes, string? since, CancellationToken ct) => TypedResults.ServerSentEvents(changes.StreamAsync(since, ct)));

    /// <summary>
    /// "changed" each time the floor changes after <paramref name="since"/> (the marker the page was rendered at, so nothing
    /// between its rendering and this stream is missed), and "ping" every 20 s so proxies keep the stream open.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(string? since, [EnumeratorCancellation] CancellationToken ct)
    {
        var watcher = new Watcher(since);
        lock (_gate)
        {
            _watchers.Add(watcher);
        }
        try
        {
            yield return new SseItem<string>("watching", "ready") { ReconnectionInterval = TimeSpan.FromSeconds(3) };
            while (!ct.IsCancellationRequested)
            {
                string? marker;
                using (var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(20), time))
                using (var ping = CancellationTokenSource.CreateLinkedTokenSource(ct, quiet.Token))
                {
                    try
                    {
                        marker = await watcher.Changes.Reader.ReadAsync(ping.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        marker = null;
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                }
                yield return marker is null ? new SseItem<string>("", "ping") : new SseItem<string>(marker, "changed");
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Watcher[] watchers;
            lock (_gate)
            {
                watchers = [.. _watchers];
            }
            if (watchers.Length == 0)
            {
                continue;
            }
            string marker;
            try
            {
                await using var tx = await db.BeginAsync(stoppingToken);
                marker = await ConsoleStore.FloorMarkerAsync(tx, stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogDebug(ex, "The console's change marker could not be read; trying again");
                continue;
            }
            foreach (var watcher in watchers.Where(w => w.Seen != marker))
            {
                watcher.Seen = marker;
                watcher.Changes.Writer.TryWrite(marker);
            }
        }
    }

    /// <summary>One open page: the latest marker it knows of, and its pending change (only the latest matters).</summary>
    private sealed class Watcher(string? seen)
    {
        public string? Seen { get; set; } = seen;

        public Channel<string> Changes { get; } = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    }
}
