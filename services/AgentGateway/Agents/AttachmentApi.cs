using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Routing.AgentGateway.Attachments;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Agents;

/// <summary>
/// Opening an attachment: GET /attachments/{id} with the agent's token (only an attachment of a conversation that is or was
/// theirs; any other is 404, like one that does not exist), GET /attachments/{id}/link for a short signed link to hand a
/// browser, and GET /attachments/{id}/open?expires&amp;signature, the signed link itself (Slack messages and mails carry
/// these). A file not fetched yet is fetched at once; one that cannot be kept is 410 with the reason. POST /attachments
/// keeps a file the agent will send (the raw body with its Content-Type, or multipart/form-data with a "file" field), for
/// the "attachments" of a reply.
/// </summary>
internal static class AttachmentApi
{
    public sealed record AttachmentLink(string Url, DateTimeOffset ExpiresAt);

    /// <summary>Multipart's framing around the file: a little more than the file itself may arrive.</summary>
    private const long FramingBytes = 64 * 1024;

    public static WebApplication MapAttachments(this WebApplication app)
    {
        var agent = app.MapGroup("/attachments").WithTags("Attachments").AddEndpointFilter<AgentAuthorization>().RequireRateLimiting(CallerRateLimits.Policy);
        agent.MapPost("/", UploadAsync)
            .WithMetadata(new RequestSizeLimitAttribute(app.Services.GetRequiredService<IOptions<AttachmentOptions>>().Value.MaxBytes + FramingBytes))
            // any body: the file's own type, or multipart/form-data (Accepts would refuse every other type with 415)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The file with its own Content-Type (its name in Content-Disposition's filename, or ?name=), or multipart/form-data with the file as the part \"file\".",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["*/*"] = new() { Schema = binary },
                        ["multipart/form-data"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object, Required = new HashSet<string> { "file" },
                                Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = binary },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            })
            .Produces<UploadedFile>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
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

    /// <summary>
    /// The file as the raw body (its name from Content-Disposition's filename, or ?name=), or the "file" part of a
    /// multipart/form-data body (its own Content-Type and filename); read as it arrives, never past the size limit.
    /// </summary>
    private static async Task<IResult> UploadAsync(HttpContext http, string? name, AttachmentUploads uploads)
    {
        var request = http.Request;
        var ct = http.RequestAborted;
        try
        {
            UploadedFile file;
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                {
                    return Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", "The multipart/form-data body has no boundary.");
                }
                var reader = new MultipartReader(boundary, request.Body);
                MultipartSection? section;
                while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
                {
                    if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition()
                        && disposition.Name.Value == "file")
                    {
                        file = await uploads.UploadAsync(AgentAuthorization.AgentOf(http), section.Body, section.ContentType,
                            disposition.FileNameStar.Value ?? disposition.FileName.Value, ct);
                        return Results.Created(AttachmentIds.Path(file.Id), file);
                    }
                }
                return Problem(StatusCodes.Status400BadRequest, "No file", "The multipart/form-data body has no file part named \"file\".");
            }
            var fileName = name ?? (ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var raw)
                ? raw.FileNameStar.Value ?? raw.FileName.Value
                : null);
            file = await uploads.UploadAsync(AgentAuthorization.AgentOf(http), request.Body, request.ContentType, fileName, ct);
            return Results.Created(AttachmentIds.Path(file.Id), file);
        }
        catch (UploadRefusedException refused)
        {
            return Problem(refused.Status, refused.Title, refused.Message);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "File too large", "The file is larger than the gateway keeps (Gateway:Attachments:MaxBytes).");
        }
        catch (InvalidDataException malformed)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", malformed.Message);
        }
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

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
                // its own type (a provider fetching an agent's file checks it), as a download, except for what a browser would run
                var active = row.ContentType.Contains("html", StringComparison.Ordinal) || row.ContentType.Contains("xml", StringComparison.Ordinal)
                    || row.ContentType.Contains("script", StringComparison.Ordinal);
                return Results.Stream(stream, active ? "application/octet-stream" : row.ContentType,
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
