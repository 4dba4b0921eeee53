using Routing.Database;
using Dapper;
using Routing.Contracts;

namespace Routing.IntegrationTests.Engine;

public sealed class QueueAndCapacityTests : EngineTest
{
    [Fact]
    public async Task Should_queue_when_nobody_is_free_and_assign_when_an_agent_comes_back()
    {
        await Engine.AddAgentAsync("anna", presence: AgentPresences.Offline);

        var waiting = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        Assert.Equal("queued", waiting.Status);

        await Engine.SetPresenceAsync("anna", AgentPresences.Available);

        var conversation = await Engine.ConversationAsync(waiting.ConversationId);
        Assert.Equal(("open", "anna"), (conversation.Status, conversation.AgentId));
        Assert.Equal(("slot-freed", "queue"), ((await Engine.DecisionsAsync(waiting.ConversationId)).Last().Trigger, (await Engine.DecisionsAsync(waiting.ConversationId)).Last().Reason));
        Assert.Equal("anna", (await Engine.EventsAsync<ConversationAssigned>()).Single().AgentId);
    }

    [Fact]
    public async Task Should_serve_the_queue_by_priority_then_arrival()
    {
        await Engine.AddAgentAsync("anna", capacity: 0);
        var first = await Engine.ReceiveAsync("sms", "phone", "+14155550001");
        Engine.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Engine.ReceiveAsync("sms", "phone", "+14155550002");
        Engine.Clock.Advance(TimeSpan.FromSeconds(1));
        var urgent = await Engine.ReceiveAsync("sms", "phone", "+14155550003", metadata: new Dictionary<string, string> { ["priority"] = "5" });

        await Engine.Agents.UpdateAsync("anna", new AgentChanges(Capacity: 2), CancellationToken.None);

        Assert.Equal("anna", (await Engine.ConversationAsync(urgent.ConversationId)).AgentId);
        Assert.Equal("anna", (await Engine.ConversationAsync(first.ConversationId)).AgentId);
        Assert.Equal("queued", (await Engine.ConversationAsync(second.ConversationId)).Status);

        await Engine.CloseAsync(urgent.ConversationId);

        Assert.Equal("anna", (await Engine.ConversationAsync(second.ConversationId)).AgentId);
    }

    [Fact]
    public async Task Should_never_exceed_capacity_when_two_replicas_race_for_one_agent()
    {
        await Engine.AddAgentAsync("solo", capacity: 1);
        await using var replica = RoutingEngine.Create(Database, Engine.Clock);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            (i % 2 == 0 ? Engine : replica).ReceiveAsync("whatsapp", "phone", $"+1415555{i:D4}")));

        Assert.Single(outcomes, o => o.Status == "open");
        Assert.Equal(49, outcomes.Count(o => o.Status == "queued"));
        Assert.Equal(1, (await Engine.AgentAsync("solo")).OpenCount);
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from conversations where agent_id = 'solo' and status = 'open'"));
    }

    [Fact]
    public async Task Should_keep_at_most_one_open_conversation_per_customer_across_channels()
    {
        await Engine.AddAgentAsync("anna", capacity: 5);
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        var customer = email.CustomerId;
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567");
        await using (var tx = await Engine.Db.BeginAsync(CancellationToken.None))
        {
            await Routing.Database.CustomerStore.MergeAsync(tx.Connection, tx.Transaction, customer, phone.CustomerId, tx.Now, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        await Engine.CloseAsync(phone.ConversationId);

        var whatsapp = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");

        Assert.Equal(customer, whatsapp.CustomerId);
        Assert.Equal(email.ConversationId, whatsapp.ConversationId);
        Assert.Equal("open", whatsapp.Status);
    }
}
