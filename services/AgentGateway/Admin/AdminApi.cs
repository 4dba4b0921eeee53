using Routing.ServiceDefaults;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Admin;

/// <summary>Agents' webhook targets, and the deliveries to them (listing exhausted ones, replaying them). Admin token only.</summary>
internal static partial class AdminApi
{
    private static readonly string[] Statuses = ["pending", "delivered", "exhausted", "abandoned"];

    public sealed record NewTarget(string? Url);

    public sealed record NewSlackTarget(string? SlackUserId, string? Channel);

    public sealed record NewEmailTarget(string? Address);

    /// <summary>A webhook target made: its signing secret, shown this once.</summary>
    public sealed record CreatedWebhookTarget(Guid Id, string AgentId, string Url, string Secret);

    public sealed record CreatedSlackTarget(Guid Id, string AgentId, string Kind, string SlackUserId, string Channel);

    public sealed record CreatedEmailTarget(Guid Id, string AgentId, string Kind, string Address);

    /// <summary>An agent's token issued: shown this once (only its hash is kept).</summary>
    public sealed record IssuedToken(Guid Id, string AgentId, string Token, DateTimeOffset ExpiresAt);

    public sealed record ReplayAccepted(Guid Id, string Status);

    [GeneratedRegex("^[UW][A-Z0-9]{2,20}$")]
    private static partial Regex SlackUser();

    [GeneratedRegex("^[CDGUW][A-Z0-9]{2,20}$")]
    private static partial Regex SlackChannel();

    /// <summary>The routes under /admin: the admin token, the per-caller rate limit, bounded bodies (every admin endpoint is mapped on it).</summary>
    public static RouteGroupBuilder MapAdminGroup(this WebApplication app) =>
        app.MapGroup("/admin").AddEndpointFilter<AdminAuthorization>().RequireRateLimiting(CallerRateLimits.Policy).LimitBodies();

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var admin = app.MapAdminGroup();

        admin.MapPost("/agents/{agentId}/webhook-targets", async (string agentId, NewTarget body, TargetStore store, SecretBox box,
            IOptions<DeliveryOptions> delivery, CancellationToken ct) =>
        {
            if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
            {
                return Invalid("url", "must be an absolute URL");
            }
            var config = delivery.Value;
            if (new TargetGuard(config.AllowPrivateNetworks, config.AllowHttp).Refusal(url) is { } refusal)
            {
                return Invalid("url", refusal);
            }
            // The secret is shown this once; it is stored sealed and never returned again.
            var secret = StandardWebhookSignature.NewSecret();
            var id = await store.AddTargetAsync(agentId, url.ToString(), box.Seal(secret), ct);
            return Results.Created($"/admin/agents/{agentId}/webhook-targets", new CreatedWebhookTarget(id, agentId, url.ToString(), secret));
        }).Produces<CreatedWebhookTarget>(StatusCodes.Status201Created);

        admin.MapGet("/agents/{agentId}/webhook-targets", async (string agentId, TargetStore store, CancellationToken ct) =>
            Results.Ok((await store.TargetsAsync(agentId, ct)).Where(t => t.Kind == TargetKinds.Webhook))).Produces<TargetRow[]>();

        // Slack: the agent's Slack user (only they act for the agent there) and where to post, by default the app's direct messages with them.
        admin.MapPost("/agents/{agentId}/slack-targets", async (string agentId, NewSlackTarget body, TargetStore store, CancellationToken ct) =>
        {
            if (body.SlackUserId is null || !SlackUser().IsMatch(body.SlackUserId))
            {
                return Invalid("slackUserId", "must be the agent's Slack user id (U… or W…)");
            }
            if (body.Channel is not null && !SlackChannel().IsMatch(body.Channel))
            {
                return Invalid("channel", "must be a Slack channel id (C…, G…) or the agent's user id");
            }
            var channel = body.Channel ?? body.SlackUserId;
            var id = await store.AddSlackTargetAsync(agentId, channel, body.SlackUserId, ct);
            return Results.Created($"/admin/agents/{agentId}/targets", new CreatedSlackTarget(id, agentId, TargetKinds.Slack, body.SlackUserId, channel));
        }).Produces<CreatedSlackTarget>(StatusCodes.Status201Created);

        // Email: the agent's mailbox; replies come back through the signed reply address of each conversation.
        admin.MapPost("/agents/{agentId}/email-targets", async (string agentId, NewEmailTarget body, TargetStore store, CancellationToken ct) =>
        {
            if (body.Address is null || !MimeKit.MailboxAddress.TryParse(body.Address, out var mailbox) || !mailbox.Address.Contains('@'))
            {
                return Invalid("address", "must be an email address");
            }
            var id = await store.AddEmailTargetAsync(agentId, mailbox.Address, ct);
            return Results.Created($"/admin/agents/{agentId}/targets", new CreatedEmailTarget(id, agentId, TargetKinds.Email, mailbox.Address));
        }).Produces<CreatedEmailTarget>(StatusCodes.Status201Created);

        admin.MapGet("/agents/{agentId}/targets", async (string agentId, TargetStore store, CancellationToken ct) =>
            Results.Ok(await store.TargetsAsync(agentId, ct))).Produces<TargetRow[]>();

        admin.MapDelete("/targets/{id:guid}", DisableAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/webhook-targets/{id:guid}", DisableAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapPost("/agents/{agentId}/tokens", async (string agentId, TokenRequest? body, AgentTokens tokens, IOptions<GatewayOptions> options,
            TimeProvider time, CancellationToken ct) =>
        {
            if (body?.ExpiresInDays is < 1 or > 366)
            {
                return Invalid("expiresInDays", "must be 1 to 366");
            }
            var now = time.GetUtcNow();
            var expiresAt = now + (body?.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : options.Value.AgentTokenLifetime);
            // The token is shown this once; only its hash is kept.
            var (id, token) = await tokens.IssueAsync(agentId, now, expiresAt, ct);
            return Results.Created($"/admin/agents/{agentId}/tokens", new IssuedToken(id, agentId, token, expiresAt));
        }).Produces<IssuedToken>(StatusCodes.Status201Created);

        admin.MapGet("/agents/{agentId}/tokens", async (string agentId, AgentTokens tokens, CancellationToken ct) =>
            Results.Ok(await tokens.ListAsync(agentId, ct))).Produces<AgentTokenRow[]>();

        admin.MapDelete("/tokens/{id:guid}", async (Guid id, AgentTokens tokens, EventSignal signal, TimeProvider time, CancellationToken ct) =>
        {
            if (await tokens.RevokeAsync(id, time.GetUtcNow(), ct) is not { } agentId)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such token");
            }
            // the agent's open event streams, on every replica, wake up, look at their token again and end
            signal.Announce([agentId]);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapGet("/webhook-deliveries", async (string? status, int? limit, DeliveryStore store, CancellationToken ct) =>
            status is null || !Statuses.Contains(status)
                ? Invalid("status", $"must be one of {string.Join(", ", Statuses)}")
                : limit is < 1 or > 1000
                    ? Invalid("limit", "must be 1-1000")
                    : Results.Ok(await store.ListAsync(status, limit ?? 100, ct))).Produces<DeliveryRow[]>();

        admin.MapPost("/webhook-deliveries/{id:guid}/replay", async (Guid id, DeliveryStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is not { } delivery)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such delivery");
            }
            return await store.ReplayAsync(id, time.GetUtcNow(), ct)
                ? Results.Accepted($"/admin/webhook-deliveries?status=pending", new ReplayAccepted(id, "pending"))
                : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not replayable",
                    detail: $"The delivery is {delivery.Status}; only an exhausted delivery to an enabled target is replayed.");
        }).Produces<ReplayAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> DisableAsync(Guid id, TargetStore store, TimeProvider time, CancellationToken ct) =>
        await store.DisableTargetAsync(id, null, "disabled by an administrator", time.GetUtcNow(), ct)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such target");

    private static IResult Invalid(string field, string problem) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"{field} {problem}",
            extensions: new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>POST /admin/agents/{agentId}/tokens: an optional lifetime in days (1 to 366); Gateway:AgentTokenLifetime without one.</summary>
internal sealed record TokenRequest(int? ExpiresInDays);
