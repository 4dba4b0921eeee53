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

    [Theory]
    [InlineData("secret", null, "visibility")]
    [InlineData("public", null, "post.postId")]
    [InlineData("public", "http://x.com/a/status/1", "post.permalink")]
    public void Should_reject_an_unknown_visibility_a_public_message_under_no_post_and_a_link_that_is_not_https(string visibility, string? permalink, string field)
    {
        var post = permalink is null ? null : new PublicPost { PostId = "1", Permalink = permalink };
        var ex = Assert.Throws<InvalidMessageException>(() => InboundRouter.Validate(Valid() with { Visibility = visibility, Post = post }));
        Assert.Equal(field, ex.Field);
    }

    /// <summary>X's weighting (twitter-text v3): a link 23, Latin 1, CJK and emoji 2; Facebook and Instagram count characters.</summary>
    [Theory]
    [InlineData("Hello", 5)]
    [InlineData("Order https://shop.example.com/orders/1042?very=long&query=string is here", 6 + 23 + 8)]
    [InlineData("返品", 4)]
    [InlineData("ok 👍", 5)]
    public void Should_count_a_public_reply_as_x_does(string text, int length) =>
        Assert.Equal(length, PublicReplies.WeightedLength(text));

    [Fact]
    public void Should_refuse_a_public_reply_over_the_channels_limit_or_where_there_are_none()
    {
        Assert.Null(PublicReplies.Refusal("twitter", new string('a', 280)));
        Assert.Equal("a public reply on twitter is at most 280 characters; this one counts 281", PublicReplies.Refusal("twitter", new string('a', 281)));
        Assert.Null(PublicReplies.Refusal("instagram", new string('a', 2200)));
        Assert.NotNull(PublicReplies.Refusal("instagram", new string('a', 2201)));
        Assert.Equal("a public reply needs words", PublicReplies.Refusal("facebook", "  "));
        Assert.Equal("sms has no public replies", PublicReplies.Refusal("sms", "hello"));
    }

    [Fact]
    public void Should_derive_the_same_message_id_for_the_same_provider_message()
    {
        Assert.Equal(MessageIds.ForInbound("SMS", "SM123"), MessageIds.ForInbound("sms", "SM123"));
        Assert.NotEqual(MessageIds.ForInbound("sms", "SM123"), MessageIds.ForInbound("whatsapp", "SM123"));
        Assert.Equal(5, MessageIds.ForInbound("sms", "SM123").Version);
    }
}
