using Microsoft.Extensions.Options;
using Routing.AgentGateway.Attachments;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Agents;

/// <summary>
/// Opening an attachment: GET /attachments/{id} with the agent's token (only an attachment of a conversation that is or was
/// theirs; any other is 404, like one that does not exist), GET /attachments/{id}/link for a short signed link to hand a
/// browser, and GET /attachments/{id}/open?expires&amp;signature, the signed link itself (Slack messages and mails carry
/// these). A file not fetched yet is fetched at once; one that cannot be kept is 410 with the reason.
/// </summary>
internal static class AttachmentApi
{
    public sealed record AttachmentLink(string Url, DateTimeOffset ExpiresAt);

    public static WebApplication MapAttachments(this WebApplication app)
    {
        var agent = app.MapGroup("/attachments").WithTags("Attachments").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy);
        agent.MapGet("/{id:guid}", async (Guid id, HttpContext http, AttachmentStore store, AttachmentFetcher fetcher, IAttachmentContent content, TimeProvider time) =>
                await VisibleAsync(id, http, store) is { } row ? await ServeAsync(row, http, store, fetcher, content, time) : NotFound())
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        agent.MapGet("/{id:guid}/link", async (Guid id, HttpContext http, AttachmentStore store, AttachmentLinks links, IOptions<AttachmentOptions> options, TimeProvider time) =>
                await VisibleAsync(id, http, store) is not null
                    ? Results.Ok(new AttachmentLink(links.Signed(id, options.Value.ApiLinkLifetime), time.GetUtcNow() + options.Value.ApiLinkLifetime))
                    : NotFound())
            .Produces<AttachmentLink>().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/attachments/{id:guid}/open", async (Guid id, string? expires, string? signature, HttpContext http, AttachmentLinks links,
                AttachmentStore store, AttachmentFetcher fetcher, IAttachmentContent content, TimeProvider time) =>
            {
                if (!links.Valid(id, expires, signature, out var expired))
                {
                    return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: expired ? "Link expired" : "Link not valid",
                        detail: expired ? "This link to the attachment has expired: open the conversation again for a new one." : "This is not a link the gateway signed.");
                }
                return await store.GetAsync(id, http.RequestAborted) is { } row ? await ServeAsync(row, http, store, fetcher, content, time) : NotFound();
            })
            .WithTags("Attachments").RequireRateLimiting(CallerRateLimits.Policy)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status410Gone);
        return app;
    }

    private static async Task<AttachmentRow?> VisibleAsync(Guid id, HttpContext http, AttachmentStore store) =>
        await store.GetAsync(id, http.RequestAborted) is { } row && await store.VisibleToAsync(row, AgentAuthorization.AgentOf(http), http.RequestAborted)
            ? row
            : null;

    private static async Task<IResult> ServeAsync(AttachmentRow row, HttpContext http, AttachmentStore store, AttachmentFetcher fetcher, IAttachmentContent content,
        TimeProvider time)
    {
        var ct = http.RequestAborted;
        // not fetched yet: fetch it now, or, when another replica (or the background fetch) is at it, wait a little for it
        for (var waited = 0; row.Status == "pending" && waited < 20; waited++)
        {
            if (!await fetcher.FetchNowAsync(row.Id, ct))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
            }
            row = await store.GetAsync(row.Id, ct) ?? row;
        }
        switch (row.Status)
        {
            case "pending":
                http.Response.Headers.RetryAfter = "5";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Attachment not fetched yet",
                    detail: "The gateway is still fetching it from the provider: try again in a few seconds.");
            case "stored" when await content.OpenAsync(row.Id, ct) is { } stream:
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // never run as a page of the gateway's origin, whatever it contains
                headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                headers.CacheControl = "private, max-age=300";
                headers["X-Attachment-Scan"] = row.Scan ?? "not-scanned";
                var inline = row.ContentType is "image/jpeg" or "image/png" or "image/gif" or "image/webp" or "audio/ogg" or "audio/mpeg" or "video/mp4" or "application/pdf";
                return Results.Stream(stream, inline ? row.ContentType : "application/octet-stream",
                    fileDownloadName: inline ? null : row.FileName ?? $"attachment-{row.Id:N}", enableRangeProcessing: false);
            case "stored":
                return Results.Problem(statusCode: StatusCodes.Status410Gone, title: "Attachment gone", detail: "The file is no longer kept.");
            default:
                return Results.Problem(statusCode: StatusCodes.Status410Gone, title: "Attachment not kept", detail: $"The file was not kept: {row.Reason ?? row.Status}.");
        }
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Attachment not found", detail: "There is no such attachment of your conversations.");
}
