using Routing.Messaging;
using Routing.Contracts;
using Routing.Inbound;

namespace Routing.UnitTests;

public sealed class InboundValidationTests
{
    private static InboundMessageReceived Valid() => new()
    {
        MessageId = MessageIds.ForInbound("whatsapp", "wamid.1"),
        Channel = "whatsapp",
        ChannelAccount = "+15550001111",
        ProviderMessageId = "wamid.1",
        Sender = new CustomerAddress { Kind = "phone", Value = "393331234567" },
        ProviderTimestamp = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void Should_accept_a_valid_message_and_normalise_its_sender()
    {
        Assert.Equal("+393331234567", InboundRouter.Validate(Valid()).Value);
    }

    [Fact]
    public void Should_reject_a_message_id_not_derived_from_channel_and_provider_id()
    {
        var ex = Assert.Throws<InvalidMessageException>(() => InboundRouter.Validate(Valid() with { MessageId = Guid.NewGuid() }));
        Assert.Equal("messageId", ex.Field);
    }

    [Fact]
    public void Should_reject_an_unusable_sender()
    {
        var ex = Assert.Throws<InvalidMessageException>(() => InboundRouter.Validate(Valid() with { Sender = new CustomerAddress { Kind = "phone", Value = "abc" } }));
        Assert.Equal("sender", ex.Field);
    }

    [Fact]
    public void Should_reject_a_priority_that_is_not_a_number()
    {
        var ex = Assert.Throws<InvalidMessageException>(() => InboundRouter.Validate(Valid() with { Metadata = new Dictionary<string, string> { ["priority"] = "high" } }));
        Assert.Equal("metadata.priority", ex.Field);
    }

    [Fact]
    public void Should_derive_the_same_message_id_for_the_same_provider_message()
    {
        Assert.Equal(MessageIds.ForInbound("SMS", "SM123"), MessageIds.ForInbound("sms", "SM123"));
        Assert.NotEqual(MessageIds.ForInbound("sms", "SM123"), MessageIds.ForInbound("whatsapp", "SM123"));
        Assert.Equal(5, MessageIds.ForInbound("sms", "SM123").Version);
    }
}
