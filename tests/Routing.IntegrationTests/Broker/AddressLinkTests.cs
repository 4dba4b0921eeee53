using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// A Facebook commenter is known by the id the Page's feed gives them until Meta's answer to a private reply names their
/// Messenger id (CustomerAddressLinked): then their answer on Messenger continues the same conversation with the same agent,
/// and someone who had written on Messenger before is merged into the commenter, reversibly. Bad links go to the error queue.
/// </summary>
public sealed class AddressLinkTests : BrokerTest
{
    private static InboundMessageReceived Comment(string author, string commentId, string text) =>
        TestMessages.Inbound("facebook", "facebook-user", author, commentId, text, "Paolo Conti") with
        {
            Visibility = MessageVisibility.Public,
            Post = new PublicPost { PostId = "1353269864728879_838212218440829", Kind = "comment" },
            ThreadKey = "1353269864728879_838212218440829",
        };

    private static CustomerAddressLinked Link(Guid conversationId, string author, string psid) => new()
    {
        LinkId = Guid.NewGuid(),
        ConversationId = conversationId,
        Channel = "facebook",
        Known = new CustomerAddress { Kind = "facebook-user", Value = author },
        Address = new CustomerAddress { Kind = "facebook", Value = psid, DisplayName = "Paolo Conti" },
        LinkedAt = DateTimeOffset.UtcNow,
    };

    private async Task<JsonElement> CustomerAsync(Guid id) => await Api.GetFromJsonAsync<JsonElement>($"/customers/{id}");

    [Fact]
    public async Task Should_continue_the_commenters_conversation_on_messenger_with_the_same_agent()
    {
        await CreateAgentAsync("anna", 1, ["facebook"]);
        await CreateAgentAsync("ben", 1, ["facebook"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var comment = Comment("3587261794680021", "838212218440829_1150336279598617", "Is anyone listening?");
        await Broker.PublishAsync(comment);
        var first = await routed.WaitForAsync(r => r.MessageId == comment.MessageId);
        Assert.Equal(("public", "open"), (first.Visibility, first.ConversationStatus));

        await Broker.PublishAsync(Link(first.ConversationId, "3587261794680021", "1254459154682919"));
        await Broker.PublishAsync(Link(first.ConversationId, "3587261794680021", "1254459154682919")); // a redelivery
        await Eventually.TrueAsync("the Messenger id joined to the commenter", async () =>
            (await CustomerAsync(first.CustomerId)).GetProperty("identities").GetArrayLength() == 2);
        var answer = TestMessages.Inbound("facebook", "facebook", "1254459154682919", "m_answer", "Thanks, here is my order number: 1042");
        await Broker.PublishAsync(answer);

        var continued = await routed.WaitForAsync(r => r.MessageId == answer.MessageId);
        Assert.Equal((first.ConversationId, first.CustomerId, first.AgentId, "private"),
            (continued.ConversationId, continued.CustomerId, continued.AgentId, continued.Visibility));
    }

    [Fact]
    public async Task Should_merge_someone_who_wrote_on_messenger_before_into_the_commenter_reversibly()
    {
        await CreateAgentAsync("cleo", 5, ["facebook"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var merges = await Broker.ObserveAsync<CustomersMerged>();
        var earlier = TestMessages.Inbound("facebook", "facebook", "1254459154682920", "m_earlier", "Do you ship to Milan?");
        await Broker.PublishAsync(earlier);
        var messenger = (await routed.WaitForAsync(r => r.MessageId == earlier.MessageId)).CustomerId;
        var comment = Comment("3587261794680022", "838212218440829_1150336279598618", "Still waiting!");
        await Broker.PublishAsync(comment);
        var commenter = await routed.WaitForAsync(r => r.MessageId == comment.MessageId);
        Assert.NotEqual(messenger, commenter.CustomerId);

        await Broker.PublishAsync(Link(commenter.ConversationId, "3587261794680022", "1254459154682920"));

        var merged = await merges.WaitForAsync(m => m.MergedId == messenger);
        Assert.Equal(commenter.CustomerId, merged.SurvivorId);
        var survivor = await CustomerAsync(commenter.CustomerId);
        Assert.Equal(["facebook", "facebook-user"], survivor.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).Order());
        using var unmerge = await Api.PostAsJsonAsync($"/customers/{commenter.CustomerId}/unmerge", new { customerId = messenger });
        Assert.True(unmerge.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Should_move_a_link_that_cannot_be_right_to_the_error_queue_with_its_reason()
    {
        await Broker.PublishAsync(Link(Guid.NewGuid(), "3587261794680023", "1254459154682921") with { Known = null! });
        await Broker.PublishAsync(Link(Guid.NewGuid(), "nobody-known", "1254459154682922"));

        var reasons = (await WaitForErrorsAsync("customer-address-linked_error", 2)).Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message", "")).ToList();
        Assert.Contains(reasons, r => r.Contains("known: is required", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("belongs to no customer", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("1254459154682922", StringComparison.Ordinal));
        Assert.True((await Api.GetAsync("/health/ready")).IsSuccessStatusCode);
    }
}
