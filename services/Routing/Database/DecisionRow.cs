namespace Routing.Database;

internal sealed record DecisionRow
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public DateTime At { get; init; }
    public string Trigger { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string Reason { get; init; } = "";
    public string? AgentId { get; init; }
    public string Candidates { get; init; } = "[]";
    public int CandidatesConsidered { get; init; }
}
