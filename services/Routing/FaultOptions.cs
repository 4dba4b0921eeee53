namespace Routing;

/// <summary>Failure injection for the crash tests only; never set in a deployment.</summary>
internal sealed class FaultOptions
{
    public const string Section = "Routing:Faults";

    /// <summary>Kill the process right after an inbound message's transaction commits, before its events are published.</summary>
    public bool CrashAfterInboundCommit { get; set; }
}
