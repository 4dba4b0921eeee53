namespace Routing.Policy;

/// <summary>What the preferred set decided: one of them takes it, the conversation waits for them, or it falls back.</summary>
internal abstract record PreferredOutcome(IReadOnlyList<CandidateVerdict> Verdicts)
{
    internal sealed record Assign(Candidate Candidate, IReadOnlyList<CandidateVerdict> Verdicts) : PreferredOutcome(Verdicts);

    internal sealed record Hold(IReadOnlyList<string> HeldFor, DateTimeOffset Until, IReadOnlyList<CandidateVerdict> Verdicts) : PreferredOutcome(Verdicts);

    internal sealed record Fallback(IReadOnlyList<CandidateVerdict> Verdicts) : PreferredOutcome(Verdicts);
}
