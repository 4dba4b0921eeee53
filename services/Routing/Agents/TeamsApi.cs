using System.Text.Json;
using Routing.Database;

namespace Routing.Agents;

/// <summary>Teams are named on agents; their business hours are set here (without, the centre's hours apply to their conversations).</summary>
internal static class TeamsApi
{
    public static IEndpointRouteBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/teams").WithTags("Agents");
        teams.MapGet("/", ListAsync).Produces<TeamResponse[]>();
        teams.MapPut("/{team}/hours", SetHoursAsync).Produces<TeamResponse>();
        return app;
    }

    private static async Task<IResult> ListAsync(RoutingDb db, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        return Results.Ok((await TeamStore.ListAsync(tx, ct)).Select(TeamResponse.From));
    }

    /// <summary>The body is the hours ({"timeZone", "weekly", "holidays"}), or null to remove them.</summary>
    private static async Task<IResult> SetHoursAsync(string team, HttpRequest request, RoutingDb db, CancellationToken ct)
    {
        if (!Problems.IsValidId(team))
        {
            return Problems.Invalid("team", "must be a team name (letters, digits, '.', '_', '@' or '-')");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return Problems.Invalid("body", "is not JSON: " + ex.Message);
        }
        var hours = HoursField.Read(body);
        if (hours.Problem is { } problem)
        {
            return Problems.Invalid("workingHours", problem);
        }
        var name = team.ToLowerInvariant();
        await using var tx = await db.BeginAsync(ct);
        await TeamStore.SetHoursAsync(tx, name, hours.Json, ct);
        var row = (await TeamStore.ListAsync(tx, ct)).FirstOrDefault(t => t.Name == name) ?? new TeamRow { Name = name };
        await tx.CommitAsync(ct);
        return Results.Ok(TeamResponse.From(row));
    }
}

internal sealed record TeamResponse(string Name, string[] Members, JsonElement? WorkingHours)
{
    public static TeamResponse From(TeamRow t) =>
        new(t.Name, t.Members, t.WorkingHours is null ? null : JsonDocument.Parse(t.WorkingHours).RootElement.Clone());
}
