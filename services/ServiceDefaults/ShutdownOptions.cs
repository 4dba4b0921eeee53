namespace Routing.ServiceDefaults;

/// <summary>
/// How long a stopping service may take. Kubernetes sends SIGTERM after the pod's preStop sleep and kills the
/// process terminationGracePeriodSeconds after the pod began terminating, so the manifests keep
/// preStop + <see cref="HostTimeout"/> + <see cref="BusStopTimeout"/> below that grace period.
/// </summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>The host's whole shutdown: in-flight HTTP requests drain and every hosted service (the bus among them) stops.</summary>
    public TimeSpan HostTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the bus waits for consumers already running to finish; unfinished messages go back to the queue.</summary>
    public TimeSpan BusStopTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
