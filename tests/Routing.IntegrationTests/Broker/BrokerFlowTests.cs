using Routing.Contracts;
using Routing.Testing;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.IntegrationTests.Broker;

public sealed class BrokerFlowTests : BrokerTest
{
    [Fact]
    public async Task Should_route_a_published_message_and_publish_the_assignment()
    {
        await CreateAgentAsync("anna", 2, ["whatsapp"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var message = TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.HBgM", "Ciao", "Maria Rossi");

        await Broker.PublishAsync(message);

        var assignment = await assigned.WaitForAsync(a => a.AgentId == "anna");
        Assert.Equal("Maria Rossi", assignment.CustomerDisplayName);
        Assert.Equal("fallback", assignment.Receipt.Reason);
        var routedMessage = await routed.WaitForAsync(r => r.MessageId == message.MessageId);
        Assert.Equal(("open", "anna", "+393331234567"), (routedMessage.ConversationStatus, routedMessage.AgentId, routedMessage.Sender.Value));

        var conversation = await Api.GetFromJsonAsync<JsonElement>($"/conversations/{assignment.ConversationId}");
        Assert.Equal("open", conversation.GetProperty("status").GetString());
        var decisions = await Api.GetFromJsonAsync<JsonElement>($"/conversations/{assignment.ConversationId}/decisions");
        Assert.Equal("assigned", decisions[0].GetProperty("outcome").GetString());
        var customer = await Api.GetFromJsonAsync<JsonElement>("/customers/lookup?kind=phone&value=%2B393331234567");
        Assert.Equal(assignment.CustomerId, customer.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Should_have_one_effect_when_the_same_message_is_published_twice()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var message = TestMessages.Inbound("sms", "phone", "+14155552671", "SM1234");

        await Broker.PublishAsync(message);
        await Broker.PublishAsync(message);
        var sentinel = TestMessages.Inbound("sms", "phone", "+14155550000", "SM9999");
        await Broker.PublishAsync(sentinel);

        await routed.WaitForAsync(r => r.MessageId == sentinel.MessageId);
        await WaitUntilQueueIsEmptyAsync("inbound-message-received");
        Assert.Single(routed.Messages, r => r.MessageId == message.MessageId);
        var agent = await Api.GetFromJsonAsync<JsonElement>("/agents/anna");
        Assert.Equal(2, agent.GetProperty("openConversations").GetInt32());
    }

    [Fact]
    public async Task Should_move_malformed_messages_to_the_error_queue_and_keep_serving()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();

        await Broker.PublishRawAsync(TestBroker.ExchangeFor<InboundMessageReceived>(), Encoding.UTF8.GetBytes("{ not json"), "application/vnd.masstransit+json");
        var wrongId = TestMessages.Inbound("sms", "phone", "+14155550001", "SM-1") with { MessageId = Guid.NewGuid() };
        await Broker.PublishAsync(wrongId);
        var badSender = TestMessages.Inbound("sms", "phone", "not a phone", "SM-2");
        await Broker.PublishAsync(badSender);
        var good = TestMessages.Inbound("sms", "phone", "+14155550003", "SM-3");
        await Broker.PublishAsync(good);

        await routed.WaitForAsync(r => r.MessageId == good.MessageId);
        var errors = await WaitForErrorsAsync("inbound-message-received_error", 3);
        var reasons = errors.Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message", "")).ToList();
        Assert.Contains(reasons, r => r.Contains("messageId", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("sender", StringComparison.Ordinal) && r.Contains("phone number", StringComparison.Ordinal));
        // the customer's address stays out of the reason, which MassTransit logs
        Assert.DoesNotContain(reasons, r => r.Contains("not a phone", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Body == "{ not json");
        Assert.Single(routed.Messages);
        Assert.True((await Api.GetAsync("/health/ready")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Should_route_a_burst_together_while_its_poison_messages_fail_alone()
    {
        await CreateAgentAsync("anna", 50, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var burst = Enumerable.Range(0, 40).Select(i => TestMessages.Inbound("sms", "phone", $"+1415555{i:D4}", $"SM-burst-{i}")).ToList();
        burst[7] = TestMessages.Inbound("sms", "phone", "not a phone", "SM-burst-invalid");
        burst[23] = burst[23] with { Text = "a NUL \0 that PostgreSQL refuses to store" };

        await Task.WhenAll(burst.Select(m => Broker.PublishAsync(m)));

        await routed.WaitForCountAsync(38);
        var errors = await WaitForErrorsAsync("inbound-message-received_error", 2);
        var reasons = errors.Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message", "")).ToList();
        Assert.Contains(reasons, r => r.Contains("sender", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("22", StringComparison.Ordinal)); // a data exception: not retried, it cannot succeed
        Assert.Equal(burst.Where((_, i) => i is not 7 and not 23).Select(m => m.MessageId).Order(), routed.Messages.Select(r => r.MessageId).Order());
        var agent = await Api.GetFromJsonAsync<JsonElement>("/agents/anna");
        Assert.Equal(38, agent.GetProperty("openConversations").GetInt32());
    }

    [Fact]
    public async Task Should_never_exceed_capacity_when_two_instances_compete_and_queue_the_rest()
    {
        await using var second = StartApp();
        using var secondApi = second.CreateClient();
        await WaitReadyAsync(secondApi);
        await CreateAgentAsync("solo", 1, ["whatsapp"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        await using var queued = await Broker.ObserveAsync<ConversationQueued>();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Broker.PublishAsync(TestMessages.Inbound("whatsapp", "phone", $"+1415555{i:D4}", $"wamid.race.{i}"))));

        await queued.WaitForCountAsync(49);
        Assert.Single(assigned.Messages);
        var queue = await Api.GetFromJsonAsync<JsonElement>("/queue?limit=100");
        Assert.Equal(49, queue.GetArrayLength());
        var agent = await secondApi.GetFromJsonAsync<JsonElement>("/agents/solo");
        Assert.Equal(1, agent.GetProperty("openConversations").GetInt32());
    }

    [Fact]
    public async Task Should_route_presence_and_close_commands_from_the_broker()
    {
        await CreateAgentAsync("anna", 1, ["email"], presence: "offline");
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        await using var closed = await Broker.ObserveAsync<ConversationClosed>();
        await Broker.PublishAsync(TestMessages.Inbound("email", "email", "maria@example.com", "<a@mail>"));
        await Broker.PublishAsync(TestMessages.Inbound("email", "email", "luca@example.com", "<b@mail>"));

        await Broker.PublishAsync(new AgentPresenceChanged { AgentId = "anna", Status = "available", ChangedAt = DateTimeOffset.UtcNow });
        var first = await assigned.WaitForAsync(a => a.AgentId == "anna");
        // another agent's close (the gateway's copy lagging, or a forged command) does nothing but leave a receipt
        await Broker.PublishAsync(new CloseConversation { ConversationId = first.ConversationId, ClosedBy = "mallory", RequestedAt = DateTimeOffset.UtcNow });
        var refused = await Eventually.ValueAsync("the receipt of the refused close", async () =>
            (await Api.GetFromJsonAsync<JsonElement>($"/conversations/{first.ConversationId}/decisions")).EnumerateArray()
                .Select(d => (JsonElement?)d).FirstOrDefault(d => d!.Value.GetProperty("outcome").GetString() == "close-refused"));
        Assert.Equal("mallory asked to close it, but it is anna's", refused.GetProperty("reason").GetString());
        Assert.Equal("open", (await Api.GetFromJsonAsync<JsonElement>($"/conversations/{first.ConversationId}")).GetProperty("status").GetString());
        await Broker.PublishAsync(new CloseConversation { ConversationId = first.ConversationId, ClosedBy = "anna", RequestedAt = DateTimeOffset.UtcNow });

        await closed.WaitForAsync(c => c.ConversationId == first.ConversationId);
        var second = await assigned.WaitForAsync(a => a.ConversationId != first.ConversationId);
        Assert.Equal(("slot-freed", "queue"), (second.Receipt.Trigger, second.Receipt.Reason));
    }

    /// <summary>
    /// The race make chaos found: the customer writes again while the agent closes, the new message still on its way to
    /// the agent's tool. The agent's close says how many messages it was shown; routing holds one more, so the
    /// conversation stays open (a receipt says why) and the message reaches the agent instead of a closed conversation.
    /// </summary>
    [Fact]
    public async Task Should_keep_a_conversation_open_when_the_customer_wrote_after_what_the_closing_agent_saw()
    {
        await CreateAgentAsync("bea", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var closed = await Broker.ObserveAsync<ConversationClosed>();
        var first = await PublishAndWaitAsync(routed, TestMessages.Inbound("sms", "phone", "+14155550177", "SMclose1", "My parcel is late"));
        var second = await PublishAndWaitAsync(routed, TestMessages.Inbound("sms", "phone", "+14155550177", "SMclose2", "Actually, one more thing"));
        Assert.Equal(first.ConversationId, second.ConversationId);

        await Broker.PublishAsync(new CloseConversation { ConversationId = first.ConversationId, ClosedBy = "bea", RequestedAt = DateTimeOffset.UtcNow, MessagesSeen = 1 });
        var kept = await Eventually.ValueAsync("the receipt of the close routing did not carry out", async () =>
            (await Api.GetFromJsonAsync<JsonElement>($"/conversations/{first.ConversationId}/decisions")).EnumerateArray()
                .Select(d => (JsonElement?)d).FirstOrDefault(d => d!.Value.GetProperty("outcome").GetString() == "kept-open"));
        Assert.Equal("the customer wrote after what the agent saw (1 unread)", kept.GetProperty("reason").GetString());
        Assert.Equal("open", (await Api.GetFromJsonAsync<JsonElement>($"/conversations/{first.ConversationId}")).GetProperty("status").GetString());

        // Once the agent has seen both, its close is carried out.
        await Broker.PublishAsync(new CloseConversation { ConversationId = first.ConversationId, ClosedBy = "bea", RequestedAt = DateTimeOffset.UtcNow, MessagesSeen = 2 });
        await closed.WaitForAsync(c => c.ConversationId == first.ConversationId);
        Assert.Empty(closed.Messages.Where(c => c.ConversationId == first.ConversationId).Skip(1));
    }

    private async Task<MessageRouted> PublishAndWaitAsync(EventStream<MessageRouted> routed, InboundMessageReceived message)
    {
        await Broker.PublishAsync(message);
        return await routed.WaitForAsync(m => m.MessageId == message.MessageId);
    }

    private async Task WaitUntilQueueIsEmptyAsync(string queue)
    {
        // Ready count 0 twice in a row, a moment apart: nothing left unconsumed.
        var zeros = 0;
        await Eventually.TrueAsync($"{queue} to stay empty", async () =>
        {
            zeros = await Broker.MessageCountAsync(queue) == 0 ? zeros + 1 : 0;
            await Task.Delay(400);
            return zeros == 2;
        });
    }
}
