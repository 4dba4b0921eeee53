using System.Diagnostics.Metrics;
using Routing.ServiceDefaults;

namespace Routing.Observability;

/// <summary>
/// Routing's own instruments (meter "Routing"). Preferred-agent hit rate is
/// routing.preferred.hits / routing.preferred.eligible; queue length and held count are sampled by the sweeper. The
/// service levels (time in queue, first response, handle time, abandonment) are measured on the same facts as
/// GET /reports/service-levels, by channel and team, each once per conversation.
/// </summary>
internal sealed class RoutingMetrics
{
    public const string MeterName = "Routing";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _preferredEligible;
    private readonly Counter<long> _preferredHits;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _replays;
    private readonly Counter<long> _outboxQuarantined;
    private readonly Histogram<double> _timeToAssignment;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _timeInQueue;
    private readonly Histogram<double> _firstResponse;
    private readonly Histogram<double> _handleTime;
    private readonly Counter<long> _closed;
    private long _queueLength;
    private long _heldCount;
    private (long Unpublished, double OldestSeconds)? _outbox;

    public RoutingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>("routing.decisions", description: "Routing decisions by trigger, outcome and reason");
        _preferredEligible = meter.CreateCounter<long>("routing.preferred.eligible", description: "New conversations whose customer had a preferred set");
        _preferredHits = meter.CreateCounter<long>("routing.preferred.hits", description: "Of those, conversations assigned to a preferred agent");
        _duplicates = meter.CreateCounter<long>("routing.inbound.duplicates", description: "Inbound messages recognised as already routed");
        _replays = meter.CreateCounter<long>("routing.inbound.replays", description: "Inbound messages refused because their delivery nonce came with another message (a replayed signature)");
        _outboxQuarantined = meter.CreateCounter<long>("routing.outbox.quarantined", description: "Outbox rows that could never be published, set aside in outbox_quarantine");
        _timeToAssignment = meter.CreateHistogram<double>("routing.time_to_assignment", unit: "s", description: "From a conversation starting to wait to its assignment");
        _timeInQueue = meter.CreateHistogram<double>("routing.time_in_queue", unit: "s",
            description: "From a conversation's first message to its first assignment (holds for a preferred agent included), once per conversation");
        _firstResponse = meter.CreateHistogram<double>("routing.first_response_time", unit: "s",
            description: "From a conversation's first message to the first reply an agent wrote that its channel sent");
        _handleTime = meter.CreateHistogram<double>("routing.handle_time", unit: "s",
            description: "From a conversation's assignment to its close (an idle close: to its last message either way), per close");
        _closed = meter.CreateCounter<long>("routing.conversations.closed",
            description: "Conversations closed, by outcome: handled (an agent had it) or abandoned (closed before it reached any agent)");
        _batchSize = meter.CreateHistogram<int>("routing.inbound.batch.size", unit: "{message}", description: "Inbound messages routed together in one transaction");
        meter.CreateObservableGauge("routing.queue.length", () => Interlocked.Read(ref _queueLength), description: "Conversations waiting in the queue");
        meter.CreateObservableGauge("routing.held.count", () => Interlocked.Read(ref _heldCount), description: "Conversations held for their preferred agents");
        // sampled from the database by every replica (the same table): take the max across replicas; nothing before the first sample
        meter.CreateObservableGauge("routing.outbox.pending", () => _outbox is { } o ? [new Measurement<long>(o.Unpublished)] : Array.Empty<Measurement<long>>(),
            unit: "{message}", description: "Committed events not yet published to the broker");
        meter.CreateObservableGauge("routing.outbox.oldest_age", () => _outbox is { } o ? [new Measurement<double>(o.OldestSeconds)] : Array.Empty<Measurement<double>>(),
            unit: "s", description: "Age of the oldest committed event not yet published (0 when none waits)");
    }

    public void InboundBatch(int size) => _batchSize.Record(size);

    public void Decision(string trigger, string outcome, string reason, string channel) =>
        _decisions.Add(1, new(TelemetryAttributes.Trigger, trigger), new(TelemetryAttributes.DecisionOutcome, outcome), new(TelemetryAttributes.Reason, reason),
            new(TelemetryAttributes.Channel, channel));

    /// <summary>The attribute value of a conversation of no team.</summary>
    public const string NoTeam = "none";

    public void PreferredSet(string channel, string? team, bool hit)
    {
        _preferredEligible.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam));
        if (hit)
        {
            _preferredHits.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam));
        }
    }

    public void FirstAssigned(string channel, string? team, TimeSpan inQueue) =>
        _timeInQueue.Record(Math.Max(0, inQueue.TotalSeconds), new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam));

    public void FirstResponse(string channel, string? team, TimeSpan after) =>
        _firstResponse.Record(Math.Max(0, after.TotalSeconds), new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam));

    /// <summary>A close: abandoned when no agent ever had the conversation; <paramref name="handled"/>, the stretch agents had it until this close.</summary>
    public void Closed(string channel, string? team, bool abandoned, TimeSpan? handled)
    {
        _closed.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam),
            new(TelemetryAttributes.ConversationOutcome, abandoned ? "abandoned" : "handled"));
        if (handled is { } h)
        {
            _handleTime.Record(Math.Max(0, h.TotalSeconds), new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Team, team ?? NoTeam));
        }
    }

    public void OutboxQuarantined() => _outboxQuarantined.Add(1);

    public void Duplicate(string channel) => _duplicates.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel));

    public void Replay(string channel) => _replays.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel));

    public void Assigned(string channel, string reason, TimeSpan waited) =>
        _timeToAssignment.Record(Math.Max(0, waited.TotalSeconds), new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.Reason, reason));

    public void OutboxSample(long pending, double oldestSeconds) => _outbox = (pending, oldestSeconds);

    public void Sample(long queueLength, long heldCount)
    {
        Interlocked.Exchange(ref _queueLength, queueLength);
        Interlocked.Exchange(ref _heldCount, heldCount);
    }
}
