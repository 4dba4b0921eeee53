using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Outbound;

/// <summary>
/// Whether the provider still lets this adapter send, for channels whose access can be withdrawn (tiers,
/// revoked apps): degraded after <c>degradedAfter</c> sends in a row were refused with 401, 403 or 429, or when
/// the provider reports that an account revoked the app; healthy again at the next send that goes through.
/// Reported as the gauge <c>adapter.channel.healthy</c> (1 or 0) and in /health/ready as "Degraded" with the
/// reason. Readiness still passes: receiving webhooks does not depend on it, and a pod restart would not help.
/// </summary>
public sealed class ChannelHealth : IHealthCheck
{
    private readonly Lock _lock = new();
    private readonly string _channel;
    private readonly int _degradedAfter;
    private readonly TimeProvider _time;
    private readonly ILogger<ChannelHealth> _logger;
    private readonly Counter<long> _refusals;
    private int _consecutive;
    private int _lastStatus;
    private DateTimeOffset? _since;
    private string? _reason;

    public ChannelHealth(string channel, int degradedAfter, TimeProvider time, IMeterFactory meterFactory, ILogger<ChannelHealth> logger)
    {
        (_channel, _degradedAfter, _time, _logger) = (channel, degradedAfter, time, logger);
        var meter = meterFactory.Create(WebhookMetrics.MeterName);
        _refusals = meter.CreateCounter<long>("adapter.send.refusals", description: "Sends the provider refused with 401, 403 or 429, by channel and HTTP status");
        meter.CreateObservableGauge("adapter.channel.healthy", () => new Measurement<int>(IsDegraded ? 0 : 1, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel)),
            description: "1 while the provider accepts this adapter's sends, 0 once it is degraded (sustained 401/403/429, or access revoked)");
    }

    public bool IsDegraded
    {
        get
        {
            lock (_lock)
            {
                return _reason is not null;
            }
        }
    }

    /// <summary>Records a send's final HTTP status: 2xx heals, 401/403/429 count towards degraded, anything else is about the message, not access.</summary>
    public void Record(int httpStatus)
    {
        if (httpStatus is >= 200 and < 300)
        {
            lock (_lock)
            {
                if (_reason is not null)
                {
                    _logger.LogInformation("{Channel} sends go through again after being degraded since {Since}", _channel, _since);
                }
                (_consecutive, _since, _reason) = (0, null, null);
            }
            return;
        }
        if (httpStatus is not (401 or 403 or 429))
        {
            return;
        }
        _refusals.Add(1, new(TelemetryAttributes.Channel, _channel), new(TelemetryAttributes.HttpStatusCode, httpStatus));
        lock (_lock)
        {
            _consecutive++;
            _lastStatus = httpStatus;
            if (_reason is null && _consecutive >= _degradedAfter)
            {
                Degrade($"{_consecutive} sends in a row were refused (the last with HTTP {httpStatus})");
            }
        }
    }

    /// <summary>The provider says an account withdrew the app's access: its sends will fail until it is granted again.</summary>
    public void AccessRevoked(string account, DateTimeOffset at)
    {
        lock (_lock)
        {
            Degrade($"account {account} revoked the app's access at {at:O}");
        }
    }

    private void Degrade(string reason)
    {
        _since ??= _time.GetUtcNow();
        _reason = reason;
        _logger.LogWarning("{Channel} is degraded: {Reason}. Check the app's credentials, access level and rate limits.", _channel, PersonalData.Redact(reason));
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = new Dictionary<string, object>
            {
                ["channel"] = _channel,
                ["consecutiveRefusals"] = _consecutive,
            };
            if (_reason is null)
            {
                return Task.FromResult(HealthCheckResult.Healthy($"{_channel} sends go through", data));
            }
            data["degradedSince"] = _since!.Value.ToString("O");
            if (_lastStatus != 0)
            {
                data["lastStatus"] = _lastStatus;
            }
            return Task.FromResult(HealthCheckResult.Degraded($"{_channel} is degraded: {_reason}", data: data));
        }
    }
}

public static class ChannelHealthExtensions
{
    /// <summary>One <see cref="ChannelHealth"/> for the adapter's channel, also registered as a readiness check named "{channel}-access".</summary>
    public static IServiceCollection AddChannelHealth(this IServiceCollection services, string channel, Func<IServiceProvider, int> degradedAfter)
    {
        services.AddSingleton(sp => new ChannelHealth(channel, degradedAfter(sp), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<ChannelHealth>>()));
        services.AddHealthChecks().Add(new HealthCheckRegistration($"{channel}-access", sp => sp.GetRequiredService<ChannelHealth>(),
            failureStatus: null, tags: [ServiceDefaultsExtensions.ReadyTag]));
        return services;
    }
}
