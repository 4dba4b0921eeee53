using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Meta;

/// <summary>
/// A Messenger Platform product's webhook (Messenger, Instagram direct messages): Meta's signature with the app's secret
/// (and the previous ones during a rotation), the kit's <see cref="MessagingEvents"/> reading, and Meta's 200 body. An
/// adapter names its product and where its secrets are.
/// </summary>
public abstract class MessagingWebhook(MessagingProduct product, Func<(string AppSecret, IEnumerable<string> Previous)> secrets) : IChannelWebhook
{
    public string Channel => product.Channel;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("EVENT_RECEIVED", "text/plain");

    public SignatureCheck Verify(WebhookRequest request)
    {
        var (appSecret, previous) = secrets();
        return ProviderSecrets.Verify(appSecret, previous, secret => MetaSignature.Verify(secret, request));
    }

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt) => MessagingEvents.Parse(product, request, receivedAt);
}
