using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Routing.Contracts;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// Where a verified delivery waits on disk while the broker cannot confirm it, for channels whose provider does not
/// retry (Twilio never retries a failed SMS webhook; X retries three times in five minutes, and only on its enterprise
/// tier). The delivery is written and flushed to the disk before the provider gets its 200, and relayed to the broker,
/// oldest first, once it confirms again; a file is deleted only after the broker confirmed everything in it. A relayed
/// message may also have been published by the request that gave up on it, so it can reach routing twice: it carries
/// the same MessageId, and routing applies it once. A file that cannot be read is moved to quarantine/ and reported,
/// never retried for ever. With no directory configured there is no spool, and the answer stays 503.
/// </summary>
public sealed class WebhookSpool : BackgroundService, IHealthCheck
{
    /// <summary>Where spools go unless configured: one folder per channel below it, on a volume.</summary>
    public const string DefaultRoot = "/var/spool/routing";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebhookOptions _options;
    private readonly IBus _bus;
    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSpool> _logger;
    private readonly SemaphoreSlim _arrived = new(0);
    private int _waiting;

    public WebhookSpool(IOptions<WebhookOptions> options, IBus bus, WebhookMetrics metrics, TimeProvider time, ILogger<WebhookSpool> logger)
    {
        (_options, _bus, _metrics, _time, _logger) = (options.Value, bus, metrics, time, logger);
        if (Enabled)
        {
            Directory.CreateDirectory(Quarantine);
            // A file still .tmp was never answered 200: the provider did not take it as delivered.
            foreach (var unfinished in Directory.EnumerateFiles(Folder, "*.tmp"))
            {
                File.Delete(unfinished);
            }
            _waiting = Directory.EnumerateFiles(Folder, "*.json").Count();
        }
        metrics.ObserveSpool(() => Volatile.Read(ref _waiting));
    }

    public bool Enabled => !string.IsNullOrEmpty(_options.Spool.Directory);

    /// <summary>Deliveries on disk, waiting for the broker.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private string Folder => _options.Spool.Directory!;

    private string Quarantine => Path.Combine(Folder, "quarantine");

    /// <summary>
    /// Writes the delivery to the disk and flushes it; true once it is there, false when the spool is off or full, or
    /// the disk refused it (the caller answers 503 then, and the provider keeps the message if it retries at all).
    /// </summary>
    public async Task<bool> TryWriteAsync(string channel, WebhookContent content)
    {
        if (!Enabled || Waiting >= _options.Spool.MaxDeliveries)
        {
            return false;
        }
        var now = _time.GetUtcNow();
        var name = $"{now.UtcTicks:D20}-{Guid.NewGuid():N}";
        var temporary = Path.Combine(Folder, name + ".tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(file, new SpooledDelivery(channel, content.Messages, content.Statuses, now), Json);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path.Combine(Folder, name + ".json"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Could not spool a {Channel} delivery to {Folder}", channel, Folder);
            File.Delete(temporary);
            return false;
        }
        Interlocked.Increment(ref _waiting);
        _arrived.Release();
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await RelayAsync(stoppingToken);
            try
            {
                await _arrived.WaitAsync(_options.Spool.RelayInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass: every spooled delivery, oldest first, until the broker does not confirm one.</summary>
    internal async Task RelayAsync(CancellationToken ct)
    {
        var relayed = 0;
        var longest = TimeSpan.Zero;
        foreach (var path in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal).ToList())
        {
            SpooledDelivery delivery;
            try
            {
                await using var file = File.OpenRead(path);
                delivery = await JsonSerializer.DeserializeAsync<SpooledDelivery>(file, Json, ct)
                           ?? throw new JsonException("the file holds null");
            }
            catch (JsonException ex)
            {
                File.Move(path, Path.Combine(Quarantine, Path.GetFileName(path)), overwrite: true);
                Interlocked.Decrement(ref _waiting);
                _metrics.SpoolQuarantined();
                _logger.LogError("A spooled delivery could not be read and was moved to {Quarantine}: {Problem}", Quarantine, ex.Message);
                continue;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.PublishTimeout);
            try
            {
                await new WebhookContent(delivery.Messages, delivery.Statuses).PublishAsync(_bus, timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning("The broker did not confirm spooled deliveries; {Waiting} wait on disk, the oldest since {Since:O} ({Problem})",
                    Waiting, delivery.SpooledAt, ex.Message);
                break;
            }
            File.Delete(path);
            Interlocked.Decrement(ref _waiting);
            var waited = _time.GetUtcNow() - delivery.SpooledAt;
            _metrics.Relayed(delivery.Channel, delivery.Messages.Count, delivery.Statuses.Count, waited);
            (relayed, longest) = (relayed + 1, waited > longest ? waited : longest);
        }
        if (relayed > 0)
        {
            _logger.LogInformation("Relayed {Relayed} spooled deliveries to the broker; the longest waited {Waited}", relayed, longest);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Enabled && Waiting > 0)
        {
            // A last pass while the host still waits; what the broker does not take stays on the disk for the next start.
            await RelayAsync(cancellationToken);
            if (Waiting > 0)
            {
                _logger.LogWarning("Stopping with {Waiting} spooled deliveries in {Folder}; they are relayed when the adapter starts on this disk again", Waiting, Folder);
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["waiting"] = Waiting };
        var quarantined = Enabled ? Directory.EnumerateFiles(Quarantine).Count() : 0;
        data["quarantined"] = quarantined;
        return Task.FromResult(!Enabled ? HealthCheckResult.Healthy("no spool: a delivery the broker does not confirm is answered 503")
            : Waiting == 0 && quarantined == 0 ? HealthCheckResult.Healthy("nothing spooled", data)
            : HealthCheckResult.Degraded($"{Waiting} deliveries wait for the broker on disk, {quarantined} quarantined", data: data));
    }

    public override void Dispose()
    {
        _arrived.Dispose();
        base.Dispose();
    }

    /// <summary>What one spooled file holds: a delivery's messages and statuses, as the webhook parsed them.</summary>
    private sealed record SpooledDelivery(string Channel, IReadOnlyList<InboundMessageReceived> Messages, IReadOnlyList<DeliveryStatusChanged> Statuses,
        DateTimeOffset SpooledAt);
}
