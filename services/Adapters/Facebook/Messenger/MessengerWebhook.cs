using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>
/// Messenger Platform webhooks (object "page"), read by the kit's <see cref="MessagingEvents"/>: the customer is their
/// Page-scoped ID, our side the Page.
/// </summary>
internal sealed class MessengerWebhook(IOptions<MessengerOptions> options) : IChannelWebhook
{
    public static readonly MessagingProduct Product = new("page", Channels.Facebook, "facebook");

    public string Channel => Channels.Facebook;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("EVENT_RECEIVED", "text/plain");

    public SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(options.Value.AppSecret, options.Value.PreviousAppSecrets, secret => MetaSignature.Verify(secret, request));

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt) => MessagingEvents.Parse(Product, request, receivedAt);
}
