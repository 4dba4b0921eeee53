using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Routing.ServiceDefaults;

/// <summary>
/// Every health check's last result as a metric (meter "Routing.ServiceDefaults", gauge health.check.status: 1 healthy,
/// 0.5 degraded, 0 unhealthy, by health.check.name), published every 30 s by the health check service: what the alerts
/// "broker unreachable" (masstransit-bus) and "database unreachable" (postgres) watch from the services' side.
/// </summary>
internal sealed class HealthMetrics : IHealthCheckPublisher
{
    public const string MeterName = "Routing.ServiceDefaults";

    private volatile IReadOnlyList<Measurement<double>> _last = [];

    public HealthMetrics(IMeterFactory meters) =>
        meters.Create(MeterName).CreateObservableGauge("health.check.status", () => _last,
            description: "The last result of each health check: 1 healthy, 0.5 degraded, 0 unhealthy");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _last = [.. report.Entries.Select(e => new Measurement<double>(e.Value.Status switch
        {
            HealthStatus.Healthy => 1,
            HealthStatus.Degraded => 0.5,
            _ => 0,
        }, new KeyValuePair<string, object?>(TelemetryAttributes.HealthCheckName, e.Key)))];
        return Task.CompletedTask;
    }
}
