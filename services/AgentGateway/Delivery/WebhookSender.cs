using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// A Standard Webhooks delivery: signed afresh on every attempt with the same webhook-id. 2xx is delivered; 410
/// disables the target, as does a target the guard refuses; anything else (timeouts, 5xx, 429, other 4xx) is tried
/// again, after the receiver's Retry-After when it gives one.
/// </summary>
internal sealed class WebhookSender(SecretBox secrets, IHttpClientFactory clients, IOptions<DeliveryOptions> options, TimeProvider time) : IDeliverySender
{
    public const string ClientName = "webhook-delivery";

    public string Kind => TargetKinds.Webhook;

    public async Task<DeliveryOutcome> SendAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        var config = options.Value;
        var webhookId = "msg_" + delivery.Id.ToString("N");
        try
        {
            var now = time.GetUtcNow();
            var timestamp = now.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(StandardWebhookSignature.IdHeader, webhookId);
            request.Headers.Add(StandardWebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(StandardWebhookSignature.SignatureHeader,
                StandardWebhookSignature.Sign([secrets.Open(delivery.SecretCiphertext!)], webhookId, timestamp, delivery.Body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(config.AttemptTimeout);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new DeliveryOutcome.Delivered(status);
            }
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return new DeliveryOutcome.Disable(status, "the receiver answered 410 Gone: target disabled");
            }
            return new DeliveryOutcome.Retry(status, $"HTTP {status}", RetryAfter(response, time));
        }
        catch (HttpRequestException ex) when (ex.InnerException is TargetRefusedException refused)
        {
            return new DeliveryOutcome.Disable(null, "target refused: " + refused.Message);
        }
        catch (CryptographicException)
        {
            return new DeliveryOutcome.Retry(null, "the target's signing secret cannot be opened (was Gateway:SecretKey changed?)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome.Retry(null, $"no answer within {config.AttemptTimeout}");
        }
    }

    /// <summary>The wait a response asks for (Retry-After in seconds or as a date), if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) =>
        response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - time.GetUtcNow());
}
