namespace Routing.Contracts;

/// <summary>Why routing decided what it did; the full receipt is at GET /conversations/{id}/decisions.</summary>
public sealed record RoutingReceiptSummary
{
    public required Guid DecisionId { get; init; }

    /// <summary>What caused the decision: one of <see cref="RoutingTriggers"/>.</summary>
    public required string Trigger { get; init; }

    /// <summary>What the decision did: one of <see cref="RoutingOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why: one of <see cref="RoutingReasons"/> (on an assignment, one of <see cref="RoutingReasons.OfAssignment"/>).</summary>
    public required string Reason { get; init; }

    /// <summary>The first candidates looked at, in order, with their verdicts.</summary>
    public IReadOnlyList<CandidateSummary> Candidates { get; init; } = [];

    /// <summary>How many candidates were considered in all (the list above may be shortened).</summary>
    public required int CandidatesConsidered { get; init; }
}
