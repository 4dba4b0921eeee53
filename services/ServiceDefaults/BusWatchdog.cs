using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Routing.ServiceDefaults;

public sealed class BusWatchdogOptions
{
    public const string Section = "RabbitMq:Watchdog";

    public bool Enabled { get; set; } = true;

    /// <summary>How often a probe goes to this process's own probe queue.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a probe the broker confirmed may wait unconsumed, with none after it consumed, before the bus counts as
    /// wedged. Longer than a receive endpoint takes to reconnect after a broker restart or a partition (13–29 s measured).
    /// </summary>
    public TimeSpan Limit { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>What the watchdog sends itself: a number in sequence, consumed by the process that sent it.</summary>
public sealed record BusProbe(long Sequence);

/// <summary>
/// The probes sent and consumed, and whether the bus is wedged: a probe the broker confirmed has waited longer than the
/// limit with no probe consumed since. A probe the broker never confirmed says the broker is away, which is an outage the
/// bus rides out by itself, not a wedge; a probe confirmed before a broker restart dies with the probe queue, and the
/// next one consumed clears it.
/// </summary>
public sealed class ProbeLedger(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _consumed;
    private DateTimeOffset _lastConsumedAt = time.GetUtcNow();
    // the oldest confirmed probe after the last one consumed
    private (long Sequence, DateTimeOffset ConfirmedAt)? _waiting;

    public void Confirmed(long sequence)
    {
        lock (_gate)
        {
            if (sequence > _consumed && _waiting is null)
            {
                _waiting = (sequence, time.GetUtcNow());
            }
        }
    }

    public void Consumed(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _consumed)
            {
                return;
            }
            _consumed = sequence;
            _lastConsumedAt = time.GetUtcNow();
            if (_waiting is { } waiting && waiting.Sequence <= sequence)
            {
                _waiting = null;
            }
        }
    }

    public DateTimeOffset LastConsumedAt
    {
        get { lock (_gate) { return _lastConsumedAt; } }
    }

    /// <summary>How long the oldest confirmed, unconsumed probe has waited beyond <paramref name="limit"/>; null when none has.</summary>
    public TimeSpan? Overdue(TimeSpan limit)
    {
        lock (_gate)
        {
            return _waiting is { } waiting && time.GetUtcNow() - waiting.ConfirmedAt is var age && age > limit ? age - limit : null;
        }
    }
}

/// <summary>Where this process's probes go: its own non-durable queue, "probe-{service}-{instance}".</summary>
public sealed class BusProbeEndpoint(string serviceName)
{
    public const string Prefix = "probe-";

    public string Name { get; } = $"{Prefix}{new string(serviceName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray())}-{NewId.NextGuid():N}";

    /// <summary>The queue's address with its settings (non-durable, auto-delete), set when the bus configures the endpoint.</summary>
    public Uri? Address { get; set; }
}

/// <summary>
/// Proves, end to end, that this process still consumes: every few seconds it sends a probe to its own queue and watches it
/// come back. RabbitMQ.Client 7.2.2 can deadlock in its connection's shutdown when the broker dies while a publish is
/// under way (rabbitmq-dotnet-client #1930, #1960, #1976; fixed after 7.2.2, which MassTransit 8.5.12 requires): the
/// connection never reports that it closed, and the receive endpoints on it wait for ever, showing ready, while their
/// queues fill. The only way out is a new process: the watchdog stops the host with exit code 75 (EX_TEMPFAIL), which
/// Kubernetes, Docker and the local stack's launcher restart; an unfinished message returns to its queue.
/// </summary>
public sealed class BusWatchdog(
    IBus send, BusProbeEndpoint endpoint, ProbeLedger ledger, IHostApplicationLifetime lifetime,
    IOptions<BusWatchdogOptions> options, IOptions<ShutdownOptions> shutdown, TimeProvider time, ILogger<BusWatchdog> logger) : BackgroundService
{
    public const int ExitCode = 75;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }
        // the bus starts after the host: give it the limit to come up before probes count
        await Task.Delay(settings.Interval, time, stoppingToken);
        long sequence = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (endpoint.Address is { } address)
            {
                await ProbeAsync(address, ++sequence, settings, stoppingToken);
            }
            if (ledger.Overdue(settings.Limit) is not null)
            {
                Wedged(settings);
                return;
            }
            await Task.Delay(settings.Interval, time, stoppingToken);
        }
    }

    private async Task ProbeAsync(Uri address, long sequence, BusWatchdogOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(settings.Interval);
            var target = await send.GetSendEndpoint(address);
            await target.Send(new BusProbe(sequence), context => context.TimeToLive = settings.Limit, timeout.Token);
            ledger.Confirmed(sequence);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // the broker is away or did not confirm: an outage, which the bus rides out; not a wedge
            logger.LogDebug("Bus probe {Sequence} was not confirmed: {Problem}", sequence, ex.Message);
        }
    }

    private void Wedged(BusWatchdogOptions settings)
    {
        logger.LogCritical(
            "The bus consumes nothing: a probe the broker confirmed is unconsumed after {Limit} s and none since (last consumed {LastConsumedAt:O}). " +
            "The broker connection is wedged; stopping with exit code {ExitCode} to be restarted", settings.Limit.TotalSeconds, ledger.LastConsumedAt, ExitCode);
        Environment.ExitCode = ExitCode;
        lifetime.StopApplication();
        // a stop that hangs on the wedged connection must not keep the process from restarting
        var grace = shutdown.Value.HostTimeout + TimeSpan.FromSeconds(10);
        _ = Task.Delay(grace, time, CancellationToken.None).ContinueWith(_ =>
        {
            if (!lifetime.ApplicationStopped.IsCancellationRequested)
            {
                Environment.Exit(ExitCode);
            }
        }, TaskScheduler.Default);
    }
}

/// <summary>Unhealthy (on /health/live) once a probe is overdue: Kubernetes restarts a process whose own stop hangs.</summary>
public sealed class BusWatchdogHealthCheck(ProbeLedger ledger, IOptions<BusWatchdogOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(options.Value.Enabled && ledger.Overdue(options.Value.Limit) is { } overdue
            ? HealthCheckResult.Unhealthy($"a bus probe is {overdue.TotalSeconds:0} s past the limit; the broker connection is wedged")
            : HealthCheckResult.Healthy());
}
