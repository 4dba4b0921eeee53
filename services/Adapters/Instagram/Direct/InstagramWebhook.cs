using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Contracts;

namespace Routing.Adapters.Instagram.Direct;

/// <summary>
/// Instagram direct messages (object "instagram"), read as Messenger's are: the customer is their Instagram-scoped user ID
/// (IGSID), our side the Instagram professional account. Story replies and mentions carry the story as an attachment;
/// reactions are messages; echoes and deleted messages are not; seen is a read status by message id.
/// </summary>
internal sealed class InstagramWebhook(IOptions<InstagramOptions> options)
    : MessagingWebhook(Product, () => (options.Value.AppSecret, options.Value.PreviousAppSecrets))
{
    public static readonly MessagingProduct Product = new("instagram", Channels.Instagram, "instagram");
}
