using Microsoft.Extensions.Options;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Delivery;

namespace Routing.AgentGateway.Admin;

/// <summary>Agents' webhook targets, and the deliveries to them (listing exhausted ones, replaying them). Admin token only.</summary>
internal static class AdminApi
{
    private static readonly string[] Statuses = ["pending", "delivered", "exhausted", "abandoned"];

    public sealed record NewTarget(string? Url);

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter<AdminAuthorization>();

        admin.MapPost("/agents/{agentId}/webhook-targets", async (string agentId, NewTarget body, WebhookStore store, SecretBox box,
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
            return Results.Created($"/admin/agents/{agentId}/webhook-targets", new { id, agentId, url = url.ToString(), secret });
        });

        admin.MapGet("/agents/{agentId}/webhook-targets", async (string agentId, WebhookStore store, CancellationToken ct) =>
            Results.Ok(await store.TargetsAsync(agentId, ct)));

        admin.MapDelete("/webhook-targets/{id:guid}", async (Guid id, WebhookStore store, TimeProvider time, CancellationToken ct) =>
            await store.DisableTargetAsync(id, null, "disabled by an administrator", time.GetUtcNow(), ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such target"));

        admin.MapPost("/agents/{agentId}/tokens", async (string agentId, AgentTokens tokens, TimeProvider time, CancellationToken ct) =>
        {
            // The token is shown this once; only its hash is kept.
            var (id, token) = await tokens.IssueAsync(agentId, time.GetUtcNow(), ct);
            return Results.Created($"/admin/agents/{agentId}/tokens", new { id, agentId, token });
        });

        admin.MapGet("/agents/{agentId}/tokens", async (string agentId, AgentTokens tokens, CancellationToken ct) =>
            Results.Ok(await tokens.ListAsync(agentId, ct)));

        admin.MapDelete("/tokens/{id:guid}", async (Guid id, AgentTokens tokens, TimeProvider time, CancellationToken ct) =>
            await tokens.RevokeAsync(id, time.GetUtcNow(), ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such token"));

        admin.MapGet("/webhook-deliveries", async (string? status, int? limit, WebhookStore store, CancellationToken ct) =>
            status is null || !Statuses.Contains(status)
                ? Invalid("status", $"must be one of {string.Join(", ", Statuses)}")
                : limit is < 1 or > 1000
                    ? Invalid("limit", "must be 1-1000")
                    : Results.Ok(await store.ListAsync(status, limit ?? 100, ct)));

        admin.MapPost("/webhook-deliveries/{id:guid}/replay", async (Guid id, WebhookStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is not { } delivery)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such delivery");
            }
            return await store.ReplayAsync(id, time.GetUtcNow(), ct)
                ? Results.Accepted($"/admin/webhook-deliveries?status=pending", new { id, status = "pending" })
                : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not replayable",
                    detail: $"The delivery is {delivery.Status}; only an exhausted delivery to an enabled target is replayed.");
        });
        return app;
    }

    private static IResult Invalid(string field, string problem) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"{field} {problem}",
            extensions: new Dictionary<string, object?> { ["field"] = field });
}
