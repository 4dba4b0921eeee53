namespace Routing.Adapters.Webhooks;

/// <summary>
/// What a channel brings to the kit: its signature check over the raw bytes, its parser, and the body
/// its provider expects back. The kit does the rest (reading, answering, publishing with confirms).
/// </summary>
public interface IChannelWebhook
{
    /// <summary>The channel name routing sees (lower case), e.g. "sms".</summary>
    string Channel { get; }

    /// <summary>The media types the provider posts (others are answered 415 before anything else is read).</summary>
    IReadOnlyCollection<string> MediaTypes { get; }

    /// <summary>Checks the provider's signature over <see cref="WebhookRequest.Body"/> in constant time.</summary>
    SignatureCheck Verify(WebhookRequest request);

    /// <summary>Normalizes a verified delivery; throws <see cref="MalformedWebhookException"/> when it cannot.</summary>
    WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt);

    /// <summary>The 200 answer's body and content type (a provider may expect, e.g., empty TwiML).</summary>
    (string Body, string ContentType) Acknowledgement { get; }
}
