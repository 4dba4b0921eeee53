namespace Routing.Agents;

internal sealed record CreateAgentRequest(string? Id, string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept, string? Presence, string[]? Teams = null,
    string[]? Languages = null, string[]? Skills = null)
{
    /// <summary>The agent's shift (<see cref="Policy.WorkingHours"/>); absent: none.</summary>
    public System.Text.Json.JsonElement WorkingHours { get; init; }
}

internal sealed record UpdateAgentRequest(string? Name, int? Capacity, string[]? Channels, bool? RequiresAccept, string[]? Teams = null, string[]? Languages = null,
    string[]? Skills = null)
{
    /// <summary>The agent's shift (<see cref="Policy.WorkingHours"/>); null removes it, absent leaves it.</summary>
    public System.Text.Json.JsonElement WorkingHours { get; init; }
}

internal sealed record PresenceRequest(string? Status);

/// <summary>Hours as the API takes them: an object (<see cref="Policy.WorkingHours"/>), null to remove them, or absent to leave them.</summary>
internal static class HoursField
{
    /// <summary>(Absent, _): not given. (_, Clear): null given. Otherwise the hours' JSON, or the problem with them.</summary>
    public static (bool Given, bool Clear, string? Json, string? Problem) Read(System.Text.Json.JsonElement value)
    {
        switch (value.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Undefined:
                return (false, false, null, null);
            case System.Text.Json.JsonValueKind.Null:
                return (true, true, null, null);
        }
        var json = value.GetRawText();
        return Policy.WorkingHours.TryParse(json, out _, out var error) ? (true, false, json, null) : (true, false, null, error);
    }
}
