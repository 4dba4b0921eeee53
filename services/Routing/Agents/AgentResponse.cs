using Routing.Database;
namespace Routing.Agents;

internal sealed record AgentResponse(
    string Id, string Name, int Capacity, string[] Channels, bool RequiresAccept, string Presence,
    DateTimeOffset PresenceChangedAt, int OpenConversations, DateTimeOffset? LastAssignedAt, string[] Teams, string[] Languages, string[] Skills,
    System.Text.Json.JsonElement? WorkingHours)
{
    public static AgentResponse From(AgentRow a) => new(
        a.Id, a.Name, a.Capacity, a.Channels, a.RequiresAccept, a.Presence, AgentRow.Utc(a.PresenceChangedAt), a.OpenCount,
        a.LastAssignedAt is { } at ? AgentRow.Utc(at) : null, a.Teams, a.Languages, a.Skills,
        a.WorkingHours is null ? null : System.Text.Json.JsonDocument.Parse(a.WorkingHours).RootElement.Clone());
}
