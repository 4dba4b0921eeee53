using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Routing.Adapters.Email.Imap;

/// <summary>
/// The mailbox connection in /health/ready (check "imap"): Degraded, not Unhealthy, while it cannot connect,
/// since the webhooks and sending still work and a restart does not fix a wrong password.
/// </summary>
internal sealed class ImapHealth(TimeProvider time) : IHealthCheck
{
    private readonly Lock _lock = new();
    private string _state = "starting";
    private string? _error;
    private DateTimeOffset? _lastDrain;

    public void Disabled() => Set("disabled", null);

    public void Connected() => Set("connected", null);

    public void Failed(string error) => Set("reconnecting", error);

    public void Drained()
    {
        lock (_lock)
        {
            _lastDrain = time.GetUtcNow();
        }
    }

    private void Set(string state, string? error)
    {
        lock (_lock)
        {
            (_state, _error) = (state, error);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = new Dictionary<string, object> { ["state"] = _state };
            if (_lastDrain is { } at)
            {
                data["lastChecked"] = at.ToString("O");
            }
            if (_error is not null)
            {
                data["error"] = _error;
            }
            return Task.FromResult(_state is "reconnecting"
                ? HealthCheckResult.Degraded("The mailbox cannot be read: " + _error, data: data)
                : HealthCheckResult.Healthy($"IMAP {_state}", data));
        }
    }
}
