using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Contracts;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>Messenger Platform webhooks (object "page"): the customer is their Page-scoped ID, our side the Page.</summary>
internal sealed class MessengerWebhook(IOptions<MessengerOptions> options)
    : MessagingWebhook(Product, () => (options.Value.AppSecret, options.Value.PreviousAppSecrets))
{
    public static readonly MessagingProduct Product = new("page", Channels.Facebook, "facebook");
}
