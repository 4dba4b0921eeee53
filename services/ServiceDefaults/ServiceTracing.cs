using System.Diagnostics;

namespace Routing.ServiceDefaults;

/// <summary>
/// The services' own spans, and the trace context that crosses a table: a row written in one trace (routing's outbox, the
/// gateway's deliveries) keeps the W3C traceparent of the span that wrote it, and whoever handles the row later continues
/// that trace, so one trace runs from the provider's webhook to the agent's tool.
/// </summary>
public static class ServiceTracing
{
    /// <summary>Every service names its ActivitySources with this prefix; they are exported with the framework's spans.</summary>
    public const string SourcePrefix = "Routing.";

    /// <summary>The current span's traceparent ("00-trace-span-flags"), to store beside a row; null outside a trace.</summary>
    public static string? CurrentParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Starts a span continuing the stored traceparent (a new trace when there is none or it cannot be read).</summary>
    public static Activity? StartFrom(this ActivitySource source, string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? source.StartActivity(name, kind, parent)
            : source.StartActivity(name, kind);
}
