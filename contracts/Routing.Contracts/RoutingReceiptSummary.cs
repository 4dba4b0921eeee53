namespace Routing.Contracts;

/// <summary>Why routing decided what it did; the full receipt is at GET /conversations/{id}/decisions.</summary>
public sealed record RoutingReceiptSummary
{
    public required Guid DecisionId { get; init; }

    /// <summary>What caused the decision: new-conversation, hold-expired, slot-freed, offline-grace, offer-declined, offer-expired, merged.</summary>
    public required string Trigger { get; init; }

    /// <summary>assigned, held, queued, released.</summary>
    public required string Outcome { get; init; }

    /// <summary>preferred-owner, preferred-history, fallback, held-agent, queue.</summary>
    public required string Reason { get; init; }

    /// <summary>The first candidates looked at, in order, with their verdicts.</summary>
    public IReadOnlyList<CandidateSummary> Candidates { get; init; } = [];

    /// <summary>How many candidates were considered in all (the list above may be shortened).</summary>
    public required int CandidatesConsidered { get; init; }
}
