using Dapper;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

public sealed class CrashTests : InfrastructureTest
{

    [Fact]
    public async Task Should_lose_no_event_when_the_process_dies_between_commit_and_publish()
    {
        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into agents (id, name, capacity, channels, presence, presence_changed_at, created_at, updated_at)
                values ('anna', 'Anna', 3, '{whatsapp}', 'available', now(), now(), now())
                """);
        }
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        var message = TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.crash");

        await using (var doomed = RoutingProcess.Start(Database.ConnectionString, Broker.Url,
                         new Dictionary<string, string> { ["Routing__Faults__CrashAfterInboundCommit"] = "true" }))
        {
            await doomed.WaitReadyAsync();
            await Broker.PublishAsync(message);
            await doomed.WaitForExitAsync(Eventually.Patience);
            Assert.NotEqual(0, doomed.ExitCode);
        }

        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            // Committed, not yet published: the events wait in the outbox.
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from conversations where status = 'open'"));
            Assert.True(await connection.ExecuteScalarAsync<int>("select count(*) from outbox where message_type = 'ConversationAssigned'") == 1);
        }
        Assert.Empty(assigned.Messages);

        await using var restarted = RoutingProcess.Start(Database.ConnectionString, Broker.Url, new Dictionary<string, string>());
        await restarted.WaitReadyAsync();

        var assignment = await assigned.WaitForAsync(a => a.AgentId == "anna");
        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            // The redelivered message was recognised as already routed: still one conversation, one slot taken.
            await Eventually.TrueAsync("the outbox to be empty", async () => await connection.ExecuteScalarAsync<int>("select count(*) from outbox") == 0);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from messages"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select open_count from agents where id = 'anna'"));
        }
        await Task.Delay(1000);
        Assert.Single(assigned.Messages);
        Assert.Equal(assignment.ConversationId, assigned.Messages[0].ConversationId);
    }
}
