using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// The webhook pipeline every adapter shares: read the exact bytes, verify the signature over them,
/// parse, publish everything the delivery carried and wait for the broker's confirms, and only then
/// answer 200. A provider that gets anything else keeps the message and retries it; nothing is
/// published for a request that is refused. Where the adapter has a spool (channels whose provider does not
/// retry), a delivery the broker does not confirm within Webhooks:Spool:After is written to the disk instead and
/// answered 200, and relayed later (<see cref="WebhookSpool"/>). A malformed item of a batch is left out (logged and counted)
/// rather than refusing its good neighbours. No provider API is called here: the accepted messages are handed to the
/// <see cref="IWebhookObserver"/>s (the sender's profile lookup), which work after the answer.
/// </summary>
public static class WebhookEndpoint
{
    public static RouteHandlerBuilder MapChannelWebhook<TWebhook>(this IEndpointRouteBuilder app, string pattern)
        where TWebhook : IChannelWebhook =>
        app.MapPost(pattern, (Delegate)((HttpContext http) => HandleAsync(http, http.RequestServices.GetRequiredService<TWebhook>())));

    internal static async Task<IResult> HandleAsync(HttpContext http, IChannelWebhook webhook)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var metrics = services.GetRequiredService<WebhookMetrics>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoint));

        var body = await CappedBody.ReadAsync(http.Request, options.MaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            metrics.Refused(webhook.Channel, "too-large");
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
                detail: $"Webhook bodies are limited to {options.MaxBodyBytes} bytes.");
        }
        var request = new WebhookRequest(body,
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
            options.PublicBaseUrl.TrimEnd('/') + http.Request.PathBase + http.Request.Path + http.Request.QueryString,
            http.Request.ContentType);

        if (!AcceptsMediaType(webhook, request.ContentType))
        {
            metrics.Refused(webhook.Channel, "media-type");
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"The {webhook.Channel} webhook takes {string.Join(" or ", webhook.MediaTypes)}.");
        }

        switch (webhook.Verify(request))
        {
            case SignatureCheck.Missing:
                metrics.Refused(webhook.Channel, "unsigned");
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Signature missing",
                    detail: $"The {webhook.Channel} webhook must carry the provider's signature.");
            case SignatureCheck.Invalid:
                metrics.Refused(webhook.Channel, "bad-signature");
                logger.LogWarning("Refused a {Channel} webhook whose signature does not match (check the public base URL and the secret)", webhook.Channel);
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature mismatch",
                    detail: $"The signature does not match the body and {request.PublicUrl}.");
        }

        WebhookContent content;
        try
        {
            content = webhook.Parse(request, services.GetRequiredService<TimeProvider>().GetUtcNow());
        }
        catch (MalformedWebhookException ex)
        {
            metrics.Refused(webhook.Channel, "malformed");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["field"] = ex.Field });
        }
        var parsed = content;
        content = content.WithoutUnroutableSenders();
        if (content.Messages.Count == 0 && content.Statuses.Count == 0 && parsed.Messages.Count > 0)
        {
            // Nothing in the delivery routing could take: refused, rather than answered 200 and stranded in routing's error queue.
            metrics.Refused(webhook.Channel, "malformed");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: content.Skipped[^1].Problem,
                extensions: new Dictionary<string, object?> { ["field"] = "sender" });
        }

        var spool = services.GetRequiredService<WebhookSpool>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(spool.Enabled ? options.Spool.After : options.PublishTimeout);
        var bus = services.GetRequiredService<IBus>();
        var spooled = false;
        Exception? unconfirmed = null;
        try
        {
            await content.PublishAsync(bus, timeout.Token);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            unconfirmed = ex;
        }
        if (unconfirmed is not null)
        {
            spooled = spool.Enabled && await spool.TryWriteAsync(webhook.Channel, content);
            if (!spooled)
            {
                metrics.Refused(webhook.Channel, "broker-unavailable");
                logger.LogWarning(unconfirmed, "The broker did not confirm a {Channel} webhook's messages; answering 503 so the provider retries", webhook.Channel);
                http.Response.Headers.RetryAfter = "5";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Broker unavailable",
                    detail: "The message could not be handed over safely; retry later.");
            }
            // The first of an outage is a warning; the spool's gauge and its relay's summary tell the rest.
            logger.Log(spool.Waiting == 1 ? LogLevel.Warning : LogLevel.Debug,
                "The broker did not confirm a {Channel} webhook's messages within {After}; spooled to disk, relayed when it is back ({Problem})",
                webhook.Channel, options.Spool.After, unconfirmed.Message);
        }

        if (spooled)
        {
            metrics.Spooled(webhook.Channel, content.Messages.Count, content.Statuses.Count);
        }
        else
        {
            metrics.Accepted(webhook.Channel, content.Messages.Count, content.Statuses.Count);
        }
        if (content.Skipped.Count > 0)
        {
            metrics.Skipped(webhook.Channel, content.Skipped.Count);
            foreach (var skipped in content.Skipped)
            {
                logger.LogWarning("Left out a malformed item of a {Channel} webhook, the rest published: {Field} {Problem}", webhook.Channel, skipped.Field, skipped.Problem);
            }
        }
        foreach (var observer in services.GetServices<IWebhookObserver>())
        {
            observer.Accepted(content.Messages);
        }
        var (ackBody, ackType) = webhook.Acknowledgement;
        return Results.Text(ackBody, ackType, statusCode: StatusCodes.Status200OK);
    }

    private static bool AcceptsMediaType(IChannelWebhook webhook, string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && webhook.MediaTypes.Contains(parsed.MediaType.Value ?? "", StringComparer.OrdinalIgnoreCase);
}
