namespace Routing.Policy;

internal sealed record CandidateVerdict(string AgentId, string Source, string Verdict, bool Chosen = false);
