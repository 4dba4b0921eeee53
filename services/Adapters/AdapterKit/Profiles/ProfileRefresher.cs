using System.Collections.Concurrent;
using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Profiles;

/// <summary>
/// Looks up the senders of accepted webhooks with their channel's <see cref="IProfileSource"/>, after the webhook has
/// answered, and publishes what the provider knows as <see cref="CustomerProfileObserved"/>. Nothing here can delay or
/// refuse a delivery: lookups wait in a bounded queue (dropped when it is full, and done at the person's next message), go
/// at Profiles:RequestsPerSecond at most, are retried by the HTTP client on 429 and 5xx, and one address is looked up
/// once per Profiles:RefreshAfter (after a refusal or a failure, once per Profiles:RetryAfter). A provider refusal publishes
/// nothing, so the profile stays as it was. Logs name the channel and the outcome, never the address.
/// </summary>
public sealed class ProfileRefresher : BackgroundService, IWebhookObserver
{
    private readonly HashSet<(string Channel, string Kind)> _channels;
    private readonly IServiceProvider _services;
    private readonly Channel<InboundMessageReceived> _queue;
    private readonly ConcurrentDictionary<(string Channel, string Kind, string Value), DateTimeOffset> _nextLookup = new();
    private readonly IBus _bus;
    private readonly ProfileOptions _options;
    private readonly ProfileMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ProfileRefresher> _logger;

    public ProfileRefresher(IServiceProvider services, IBus bus, IOptions<ProfileOptions> options, ProfileMetrics metrics, TimeProvider time,
        ILogger<ProfileRefresher> logger)
    {
        // the sources are typed HttpClients, taken afresh for each lookup (so their handlers rotate); here only their channels
        _channels = services.GetServices<IProfileSource>().Select(s => (s.Channel, s.AddressKind)).ToHashSet();
        _services = services;
        _bus = bus;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<InboundMessageReceived>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    /// <summary>Lookups waiting.</summary>
    public int Waiting => _queue.Reader.Count;

    public void Accepted(IReadOnlyList<InboundMessageReceived> messages)
    {
        if (!_options.Enabled)
        {
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var message in messages)
        {
            if (!_channels.Contains((message.Channel, message.Sender.Kind)))
            {
                continue;
            }
            var key = (message.Channel, message.Sender.Kind, message.Sender.Value);
            if (_nextLookup.TryGetValue(key, out var next) && next > now)
            {
                continue;
            }
            // claimed while it waits, so that a burst of one person's messages asks once
            _nextLookup[key] = now + _options.RetryAfter;
            if (!_queue.Writer.TryWrite(message))
            {
                _nextLookup.TryRemove(key, out _);
                _metrics.Looked(message.Channel, "dropped");
            }
        }
        if (_nextLookup.Count > _options.RememberedAddresses)
        {
            Forget(now);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(1 / _options.RequestsPerSecond);
        long? last = null;
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (last is { } started && interval - _time.GetElapsedTime(started) is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, _time, stoppingToken);
                }
                last = _time.GetTimestamp();
                await RefreshAsync(message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: what waits is looked up at the person's next message
        }
    }

    private async Task RefreshAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var key = (message.Channel, message.Sender.Kind, message.Sender.Value);
        ProfileAnswer answer;
        try
        {
            answer = await _services.GetServices<IProfileSource>().First(s => s.Channel == message.Channel).LookUpAsync(message, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException)
        {
            _metrics.Looked(message.Channel, "failed");
            _logger.LogWarning("A {Channel} profile lookup failed ({Error}); the address is tried again after {RetryAfter}",
                message.Channel, ex.GetType().Name, _options.RetryAfter);
            return;
        }
        if (answer.Profile is not { IsEmpty: false } profile)
        {
            _metrics.Looked(message.Channel, answer.Outcome == "found" ? "not-found" : answer.Outcome);
            _logger.Log(answer.Outcome is "refused" or "not-configured" ? LogLevel.Warning : LogLevel.Debug,
                "A {Channel} profile lookup for account {ChannelAccount} came back {Outcome}: {Problem}", message.Channel, message.ChannelAccount, answer.Outcome,
                answer.Problem);
            return;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await _bus.Publish(new CustomerProfileObserved
            {
                Channel = message.Channel,
                ChannelAccount = message.ChannelAccount,
                Address = new CustomerAddress { Kind = message.Sender.Kind, Value = message.Sender.Value, DisplayName = profile.Name },
                Handle = profile.Handle,
                PictureUrl = profile.PictureUrl,
                Locale = profile.Locale,
                ObservedAt = _time.GetUtcNow(),
            }, timeout.Token);
            _nextLookup[key] = _time.GetUtcNow() + _options.RefreshAfter;
            _metrics.Looked(message.Channel, "found");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // the broker is away: looked up again at the person's next message
            _nextLookup.TryRemove(key, out _);
            _metrics.Looked(message.Channel, "unpublished");
            _logger.LogWarning("A {Channel} profile found could not be published ({Error}); it is looked up again at the next message", message.Channel, ex.GetType().Name);
        }
    }

    /// <summary>Forgets the addresses due again; if that is not enough, all of them (they are looked up again as they write).</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, next) in _nextLookup)
        {
            if (next <= now)
            {
                _nextLookup.TryRemove(key, out _);
            }
        }
        if (_nextLookup.Count > _options.RememberedAddresses)
        {
            _nextLookup.Clear();
        }
    }
}
