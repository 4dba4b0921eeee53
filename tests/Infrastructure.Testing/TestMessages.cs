using Routing.Contracts;

namespace Routing.Testing;

/// <summary>Inbound messages as an adapter would publish them.</summary>
public static class TestMessages
{
    public static InboundMessageReceived Inbound(string channel, string kind, string value, string? providerMessageId = null,
        string text = "Hello", string? displayName = null, DateTimeOffset? at = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        providerMessageId ??= Guid.NewGuid().ToString("N");
        var now = at ?? DateTimeOffset.UtcNow;
        return new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(channel, providerMessageId),
            Channel = channel,
            ChannelAccount = channel == Channels.Email ? "support@example.com" : "+15550001111",
            ProviderMessageId = providerMessageId,
            Sender = new CustomerAddress { Kind = kind, Value = value, DisplayName = displayName },
            Text = text,
            ProviderTimestamp = now,
            ReceivedAt = now,
            Metadata = metadata ?? new Dictionary<string, string>(),
        };
    }
}
