using Routing.Messaging;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Routing.Contracts;
using Routing.Inbound;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>Inbound messages routed together in one transaction give what routing them one by one gives.</summary>
public sealed class BatchTests : EngineTest
{
    private InboundBatcher Batcher => Engine.Services.GetRequiredService<InboundBatcher>();

    [Fact]
    public async Task Should_route_a_batch_as_it_would_route_the_messages_one_by_one()
    {
        await Engine.AddAgentAsync("anna", capacity: 5);
        var known = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        var sms = Inbound("sms", "phone", "+393331234567", "SM1", "first", "Luca");
        var whatsapp = Inbound("whatsapp", "phone", "393331234567", "wamid.1", "second", "Luca Bianchi");
        var email = Inbound("email", "email", "maria@example.com", "<m2@example.com>", "again");
        var stranger = Inbound("email", "email", "new@example.com", "<n1@example.com>", "hi");

        var outcomes = await Engine.Inbound.RouteBatchAsync([Item(sms), Item(whatsapp), Item(sms with { Sender = sms.Sender with { DisplayName = null } }), Item(email), Item(stranger)], CancellationToken.None);

        // One phone is one person with one conversation; the copy of the first message is a duplicate.
        Assert.Equal(outcomes[0].ConversationId, outcomes[1].ConversationId);
        Assert.Equal(outcomes[0].CustomerId, outcomes[1].CustomerId);
        Assert.True(outcomes[2].Duplicate);
        Assert.Equal(known.ConversationId, outcomes[3].ConversationId);
        Assert.NotEqual(outcomes[0].CustomerId, outcomes[4].CustomerId);
        Assert.All(outcomes.Where(o => !o.Duplicate), o => Assert.Equal(("open", "anna"), (o.Status, o.AgentId)));

        var routed = await Engine.EventsAsync<MessageRouted>();
        Assert.Equal([known.ConversationId, outcomes[0].ConversationId, outcomes[1].ConversationId, outcomes[3].ConversationId, outcomes[4].ConversationId],
            routed.Select(r => r.ConversationId));
        var assigned = (await Engine.EventsAsync<ConversationAssigned>()).Single(a => a.ConversationId == outcomes[0].ConversationId);
        Assert.Equal(["first", "second"], assigned.RecentMessages.Select(m => m.Text));
        Assert.Equal("Luca Bianchi", assigned.CustomerDisplayName); // one phone address: the batch's last name for it is kept
        Assert.Equal(3, (await Engine.AgentAsync("anna")).OpenCount);
        Assert.Single(await Engine.DecisionsAsync(outcomes[0].ConversationId));
    }

    [Fact]
    public async Task Should_hold_the_second_of_two_customers_of_one_owner_with_one_slot_in_one_batch()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        foreach (var address in new[] { "a@example.com", "b@example.com" })
        {
            var earlier = await Engine.ReceiveAsync("email", "email", address);
            await Engine.CloseAsync(earlier.ConversationId);
            await Engine.SetOwnersAsync(earlier.CustomerId, "anna");
        }
        await Engine.AddAgentAsync("ben", capacity: 5); // free, but no one's preferred agent

        var outcomes = await Engine.Inbound.RouteBatchAsync(
            [Item(Inbound("email", "email", "a@example.com", "<a2@example.com>")), Item(Inbound("email", "email", "b@example.com", "<b2@example.com>"))],
            CancellationToken.None);

        // Both were read as anna's before either was routed; the second found her slot taken and waits for her.
        Assert.Equal(("open", "anna"), (outcomes[0].Status, outcomes[0].AgentId));
        Assert.Equal(("held", null), (outcomes[1].Status, outcomes[1].AgentId));
        Assert.Contains("anna", (await Engine.DecisionsAsync(outcomes[1].ConversationId)).Single().Candidates);
        Assert.Equal(1, (await Engine.AgentAsync("anna")).OpenCount);
    }

    [Fact]
    public async Task Should_fail_only_the_message_the_database_refuses_when_its_batch_fails()
    {
        await Engine.AddAgentAsync("anna", capacity: 10);
        var messages = Enumerable.Range(0, 5).Select(i => Inbound("sms", "phone", $"+1415555010{i}", $"SM-batch-{i}", $"message {i}")).ToList();
        messages[2] = messages[2] with { Text = "a NUL \0 PostgreSQL cannot store" };

        // Hold the first message's batch at its insert, so the other five queue up behind it and form one batch.
        await using var blocker = await Database.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("lock table messages in exclusive mode", transaction: blocking);
        var opener = Batcher.RouteAsync(Inbound("sms", "phone", "+14155550999", "SM-opener"), CancellationToken.None);
        await WaitUntilBlockedAsync();
        var routing = messages.Select(m => Batcher.RouteAsync(m, CancellationToken.None)).ToList();
        await blocking.RollbackAsync();

        Assert.Equal("open", (await opener).Status);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => routing[2]);
        Assert.StartsWith("22", refused.SqlState, StringComparison.Ordinal);
        foreach (var i in new[] { 0, 1, 3, 4 })
        {
            Assert.Equal(("open", "anna"), ((await routing[i]).Status, (await routing[i]).AgentId));
        }
        Assert.Equal(5, (await Engine.AgentAsync("anna")).OpenCount);
        var stored = await Database.DataSource.OpenConnectionAsync();
        await using (stored)
        {
            Assert.Equal(5, await stored.ExecuteScalarAsync<int>("select count(*) from messages"));
        }
        // And it goes on serving.
        Assert.Equal("open", (await Batcher.RouteAsync(Inbound("sms", "phone", "+14155550998", "SM-after"), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Should_refuse_an_invalid_message_before_it_joins_a_batch()
    {
        var invalid = Inbound("sms", "phone", "not a phone", "SM-invalid");
        var ex = await Assert.ThrowsAsync<InvalidMessageException>(() => Batcher.RouteAsync(invalid, CancellationToken.None));
        Assert.Equal("sender", ex.Field);
    }

    private async Task WaitUntilBlockedAsync()
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await Eventually.TrueAsync("the first batch to wait for the locked table", async () =>
            await connection.ExecuteScalarAsync<bool>("select exists (select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock')"));
    }

    private InboundMessageReceived Inbound(string channel, string kind, string value, string providerId, string text = "Hello", string? displayName = null) =>
        TestMessages.Inbound(channel, kind, value, providerId, text, displayName, at: Engine.Clock.GetUtcNow());

    private static InboundItem Item(InboundMessageReceived message) => InboundItem.From(message, new IdentityOptions());
}
