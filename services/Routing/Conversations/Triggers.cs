namespace Routing.Conversations;

/// <summary>What caused a routing decision; recorded on every receipt.</summary>
internal static class Triggers
{
    public const string NewConversation = "new-conversation";
    public const string HoldExpired = "hold-expired";
    public const string SlotFreed = "slot-freed";
    public const string OfflineGrace = "offline-grace";
    public const string OfferDeclined = "offer-declined";
    public const string OfferExpired = "offer-expired";
    public const string Closed = "closed";
}
