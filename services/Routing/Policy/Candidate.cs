namespace Routing.Policy;

/// <summary>An agent in a customer's preferred set, or in the fallback pool, and where it came from.</summary>
internal sealed record Candidate(AgentSnapshot Agent, string Source, DateTimeOffset? LastHandledAt = null)
{
    public const string Owner = "owner";
    public const string History = "history";
    public const string Pool = "pool";
}
