using Dapper;

namespace Routing.Database;

/// <summary>Teams: their members (from the agents) and their business hours.</summary>
internal static class TeamStore
{
    /// <summary>Every team an agent is in or that has hours, with its members and its hours as JSON.</summary>
    public static async Task<IReadOnlyList<TeamRow>> ListAsync(RoutingTransaction tx, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<TeamRow>(tx.Command(
            """
            with names as (select distinct unnest(teams) as team from agents union select team from team_hours)
            select n.team as Name,
                   coalesce((select array_agg(a.id order by a.id) from agents a where a.teams @> array[n.team]), '{}') as Members,
                   h.working_hours::text as WorkingHours
            from names n left join team_hours h on h.team = n.team
            order by n.team
            """, null, ct))).ToList();

    /// <summary>The team's hours as JSON, or null when it has none (the centre's apply).</summary>
    public static Task<string?> HoursAsync(RoutingTransaction tx, string team, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<string?>(tx.Command(
            "select working_hours::text from team_hours where team = @team", new { team }, ct));

    public static Task SetHoursAsync(RoutingTransaction tx, string team, string? hours, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            hours is null
                ? "delete from team_hours where team = @team"
                : """
                  insert into team_hours (team, working_hours, updated_at) values (@team, @hours::jsonb, @now)
                  on conflict (team) do update set working_hours = excluded.working_hours, updated_at = excluded.updated_at
                  """, new { team, hours, now = tx.Now }, ct));
}

internal sealed record TeamRow
{
    public string Name { get; init; } = "";
    public string[] Members { get; init; } = [];
    public string? WorkingHours { get; init; }
}
