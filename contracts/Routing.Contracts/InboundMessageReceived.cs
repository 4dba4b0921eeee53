namespace Routing.Contracts;

/// <summary>A customer's message, verified and normalised by a channel adapter.</summary>
public sealed record InboundMessageReceived
{
    /// <summary><see cref="MessageIds.ForInbound"/>(Channel, ProviderMessageId): a provider retry or a broker redelivery is the same id.</summary>
    public required Guid MessageId { get; init; }

    public required string Channel { get; init; }

    /// <summary>Our side of the conversation: the phone number, page id, mailbox or account the customer wrote to.</summary>
    public required string ChannelAccount { get; init; }

    public required string ProviderMessageId { get; init; }

    public required CustomerAddress Sender { get; init; }

    /// <summary>The provider's thread or conversation key, when the channel has one (email References root, Messenger thread).</summary>
    public string? ThreadKey { get; init; }

    public string? Subject { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];

    /// <summary>When the provider says the customer sent it.</summary>
    public required DateTimeOffset ProviderTimestamp { get; init; }

    /// <summary>When the adapter received it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    public string? ReplyToProviderMessageId { get; init; }

    /// <summary>
    /// The provider's one-time value the adapter's signature check accepted, for providers whose signature does not cover
    /// the message (Mailgun's token): the first message with it keeps it, and a different message with the same nonce
    /// is a replay, which routing does not route. Null for providers that sign the content itself.
    /// </summary>
    public string? DeliveryNonce { get; init; }

    /// <summary>
    /// Whether the sender is who the address says, for channels where anybody can write any sender: email's From, verified
    /// when SPF, DKIM or DMARC passed for its domain. Null where the provider itself vouches for the sender (SMS, WhatsApp,
    /// Messenger, X). Routing does not join an unverified sender to the customer who owns the address (Routing:Identity).
    /// </summary>
    public bool? SenderVerified { get; init; }

    /// <summary><see cref="MessageVisibility"/>: private (the default) or public, a post or comment everyone can read.</summary>
    public string Visibility { get; init; } = MessageVisibility.Private;

    /// <summary>For a public message: the post it is under and what it answers.</summary>
    public PublicPost? Post { get; init; }

    /// <summary>Channel-specific extras. A "priority" entry (integer) raises the conversation in the waiting queue.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
