using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Instagram.Direct;

/// <summary>
/// Instagram direct messages (object "instagram"), read by the kit's <see cref="MessagingEvents"/> as Messenger's are:
/// the customer is their Instagram-scoped user ID (IGSID), our side the Instagram professional account. Story replies and
/// mentions carry the story as an attachment; reactions are messages; echoes and deleted messages are not; seen is a
/// read status by message id.
/// </summary>
internal sealed class InstagramWebhook(IOptions<InstagramOptions> options) : IChannelWebhook
{
    public static readonly MessagingProduct Product = new("instagram", Channels.Instagram, "instagram");

    public string Channel => Channels.Instagram;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("EVENT_RECEIVED", "text/plain");

    public SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(options.Value.AppSecret, options.Value.PreviousAppSecrets, secret => MetaSignature.Verify(secret, request));

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt) => MessagingEvents.Parse(Product, request, receivedAt);
}
