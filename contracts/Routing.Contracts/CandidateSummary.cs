namespace Routing.Contracts;

public sealed record CandidateSummary
{
    public required string AgentId { get; init; }

    /// <summary>Where this candidate came from: one of <see cref="CandidateSources"/>.</summary>
    public required string Source { get; init; }

    /// <summary>chosen, or why not: "away since 09:12", "3/3 open", "does not serve whatsapp".</summary>
    public required string Verdict { get; init; }
}
