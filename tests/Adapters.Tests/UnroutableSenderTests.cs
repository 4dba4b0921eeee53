using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Adapters.Tests;

/// <summary>The kit applies routing's address rule before a delivery is answered: a batch keeps its good messages.</summary>
public sealed class UnroutableSenderTests
{
    [Fact]
    public void Should_leave_out_a_message_whose_sender_routing_cannot_identify_and_keep_the_rest()
    {
        var good = Message("wamid.good", "16505551234");
        var content = new WebhookContent([Message("wamid.shortcode", "12"), good],
            [new DeliveryStatusChanged { Channel = "whatsapp", ProviderMessageId = "wamid.sent", Status = "delivered", OccurredAt = DateTimeOffset.UnixEpoch }]);

        var routable = content.WithoutUnroutableSenders();

        Assert.Equal([good], routable.Messages);
        Assert.Single(routable.Statuses);
        var skipped = Assert.Single(routable.Skipped);
        Assert.Equal("sender", skipped.Field);
        Assert.DoesNotContain("12", skipped.Problem, StringComparison.Ordinal);
        Assert.Same(routable, routable.WithoutUnroutableSenders());
    }

    private static InboundMessageReceived Message(string id, string from) => new()
    {
        MessageId = MessageIds.ForInbound("whatsapp", id),
        Channel = "whatsapp",
        ChannelAccount = "106540352242922",
        ProviderMessageId = id,
        Sender = new CustomerAddress { Kind = "phone", Value = from },
        Text = "hello",
        ProviderTimestamp = DateTimeOffset.UnixEpoch,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };
}
