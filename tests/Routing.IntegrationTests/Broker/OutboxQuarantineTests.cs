using Dapper;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// An outbox row that can never be published (a type no contract has, a payload that is not its JSON, written by an
/// older or newer release or by hand) is set aside with its reason; the events behind it are published.
/// </summary>
public sealed class OutboxQuarantineTests : BrokerTest
{
    [Fact]
    public async Task Should_quarantine_an_unreadable_outbox_row_and_publish_the_events_behind_it()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into outbox (message_id, message_type, payload, created_at) values
                    (gen_random_uuid(), 'ConversationTeleported', '{}', now()),
                    (gen_random_uuid(), 'MessageRouted', '{"conversationId": "not a uuid"}', now()),
                    (gen_random_uuid(), 'MessageRouted', 'null', now())
                """);
        }
        var message = TestMessages.Inbound("sms", "phone", "+14155550100", "SM-behind");

        await Broker.PublishAsync(message);

        await routed.WaitForAsync(r => r.MessageId == message.MessageId);
        // Published before the dispatcher commits the batch that set the rows aside: wait for that commit.
        await using var check = await Database.DataSource.OpenConnectionAsync();
        await Eventually.TrueAsync("the outbox to be empty", async () => await check.ExecuteScalarAsync<long>("select count(*) from outbox") == 0);
        var quarantined = (await check.QueryAsync<(string MessageType, string Reason)>("select message_type, reason from outbox_quarantine order by id")).ToList();
        Assert.Equal(["ConversationTeleported", "MessageRouted", "MessageRouted"], quarantined.Select(q => q.MessageType));
        Assert.Contains("Unknown contract type", quarantined[0].Reason);
        Assert.All(quarantined, q => Assert.False(string.IsNullOrWhiteSpace(q.Reason)));
    }
}
