using Routing.Contracts;
using Routing.Database;

namespace Routing.Agents;

internal static partial class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/agents").WithTags("Agents");
        agents.MapPost("/", CreateAsync).Produces<AgentResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        agents.MapGet("/", ListAsync).Produces<AgentResponse[]>();
        agents.MapGet("/{id}", GetAsync).Produces<AgentResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapPut("/{id}", UpdateAsync).Produces<AgentResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapPut("/{id}/presence", SetPresenceAsync).Produces<AgentResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(CreateAgentRequest? body, AgentService service, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.Invalid("body", "a JSON object is required");
        }
        if (!Problems.IsValidId(body.Id))
        {
            return Problems.Invalid("id", "1 to 100 characters: letters, digits, '.', '_', '@' or '-'");
        }
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Problems.Invalid("name", "is required");
        }
        if (body.Channels is null)
        {
            return Problems.Invalid("channels", "is required");
        }
        if (Validate(body.Capacity ?? -1, body.Channels) is { } problem)
        {
            return problem;
        }
        if (ValidateNames(body.Teams, body.Languages, body.Skills) is { } namesProblem)
        {
            return namesProblem;
        }
        var hours = HoursField.Read(body.WorkingHours);
        if (hours.Problem is { } hoursProblem)
        {
            return Problems.Invalid("workingHours", hoursProblem);
        }
        if (body.Presence is not null && !AgentPresences.IsValid(body.Presence))
        {
            return Problems.Invalid("presence", "must be available, away or offline");
        }
        var created = await service.CreateAsync(new AgentRow
        {
            Id = body.Id!,
            Name = body.Name.Trim(),
            Capacity = body.Capacity!.Value,
            Channels = Channels(body.Channels!),
            Teams = Names(body.Teams ?? []),
            Languages = Names(body.Languages ?? []),
            Skills = Names(body.Skills ?? []),
            WorkingHours = hours.Json,
            RequiresAccept = body.RequiresAccept ?? false,
            Presence = body.Presence ?? AgentPresences.Offline,
        }, ct);
        return created is null
            ? Problems.Conflict("Agent exists", $"An agent with id '{body.Id}' already exists; use PUT /agents/{body.Id} to change it.")
            : Results.Created($"/agents/{created.Id}", AgentResponse.From(created));
    }

    private static async Task<IResult> ListAsync(RoutingDb db, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        return Results.Ok((await AgentStore.ListAsync(tx, ct)).Select(AgentResponse.From));
    }

    private static async Task<IResult> GetAsync(string id, RoutingDb db, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        return await AgentStore.GetAsync(tx, id, ct) is { } agent ? Results.Ok(AgentResponse.From(agent)) : Problems.NotFound("Agent", id);
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateAgentRequest? body, AgentService service, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.Invalid("body", "a JSON object is required");
        }
        if (body.Name is not null && string.IsNullOrWhiteSpace(body.Name))
        {
            return Problems.Invalid("name", "must not be empty");
        }
        if (body.Capacity is not null && Validate(body.Capacity.Value, null) is { } capacityProblem)
        {
            return capacityProblem;
        }
        if (body.Channels is not null && Validate(0, body.Channels) is { } channelsProblem)
        {
            return channelsProblem;
        }
        if (ValidateNames(body.Teams, body.Languages, body.Skills) is { } namesProblem)
        {
            return namesProblem;
        }
        var hours = HoursField.Read(body.WorkingHours);
        if (hours.Problem is { } hoursProblem)
        {
            return Problems.Invalid("workingHours", hoursProblem);
        }
        var updated = await service.UpdateAsync(id, new AgentChanges(body.Name?.Trim(), body.Capacity, body.Channels is null ? null : Channels(body.Channels),
            NamesOrNull(body.Teams), NamesOrNull(body.Languages), NamesOrNull(body.Skills), body.RequiresAccept, hours.Json, hours.Clear), ct);
        return updated is null ? Problems.NotFound("Agent", id) : Results.Ok(AgentResponse.From(updated));
    }

    private static async Task<IResult> SetPresenceAsync(string id, PresenceRequest? body, AgentService service, CancellationToken ct)
    {
        if (body is null || !AgentPresences.IsValid(body.Status))
        {
            return Problems.Invalid("status", "must be available, away or offline");
        }
        var (found, agent) = await service.SetPresenceAsync(id, body.Status!, null, ct);
        return found ? Results.Ok(AgentResponse.From(agent!)) : Problems.NotFound("Agent", id);
    }

    private static IResult? Validate(int capacity, string[]? channels)
    {
        if (capacity is < 0 or > 10_000)
        {
            return Problems.Invalid("capacity", "is required: a whole number from 0 to 10000");
        }
        if (channels is not null && (channels.Length == 0 || channels.Any(c => !Problems.IsValidId(c))))
        {
            return Problems.Invalid("channels", "at least one channel name, such as email, sms, whatsapp, facebook or twitter");
        }
        return null;
    }

    /// <summary>
    /// Teams, languages (ISO 639 codes such as en, it, es; none: the agent takes any language) and skills are names: ids,
    /// kept in lower case (an agent in no team takes only conversations for no team).
    /// </summary>
    private static IResult? ValidateNames(string[]? teams, string[]? languages, string[]? skills)
    {
        foreach (var (field, names) in new[] { ("teams", teams), ("languages", languages), ("skills", skills) })
        {
            if (names is not null && (names.Length > 100 || names.Any(n => !Problems.IsValidId(n?.Trim()))))
            {
                return Problems.Invalid(field, "at most 100 names of 1 to 100 characters: letters, digits, '.', '_', '@' or '-'");
            }
        }
        return languages is not null && languages.Any(l => !LanguageCode().IsMatch(l.Trim()))
            ? Problems.Invalid("languages", "ISO 639 language codes such as en, it or es")
            : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z]{2,3}$")]
    private static partial System.Text.RegularExpressions.Regex LanguageCode();

    private static string[] Names(string[] names) => names.Select(t => t.Trim().ToLowerInvariant()).Distinct().ToArray();

    private static string[]? NamesOrNull(string[]? names) => names is null ? null : Names(names);

    private static string[] Channels(string[] channels) => channels.Select(c => c.Trim().ToLowerInvariant()).Distinct().ToArray();
}
