using Dapper;
using Npgsql;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Mailgun signs only a timestamp and a token: a captured signature could carry any other mail, from any sender, for
/// its 15 minutes (issue 16). The token travels as the message's delivery nonce; routing keeps the first message's
/// and refuses a different message under it, on every replica, while a redelivery of the same message stays an
/// ordinary duplicate.
/// </summary>
public sealed class DeliveryNonceTests : BrokerTest
{
    [Fact]
    public async Task Should_route_a_nonce_once_and_refuse_another_message_under_it()
    {
        await CreateAgentAsync("anna", 5, ["email"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var genuine = TestMessages.Inbound("email", "email", "ada@example.net", "genuine-1@example.net") with { DeliveryNonce = "mailgun:tok-1" };
        var forged = TestMessages.Inbound("email", "email", "victim@example.org", "forged-1@attacker.example") with { DeliveryNonce = "mailgun:tok-1" };
        var later = TestMessages.Inbound("email", "email", "grace@example.net", "later-1@example.net") with { DeliveryNonce = "mailgun:tok-2" };

        await Broker.PublishAsync(genuine);
        await routed.WaitForAsync(r => r.MessageId == genuine.MessageId);
        await Broker.PublishAsync(forged);
        await Broker.PublishAsync(genuine);
        await Broker.PublishAsync(later);
        await routed.WaitForAsync(r => r.MessageId == later.MessageId);

        // one consumer takes the queue in order: the forged message's batch committed before the later one's
        Assert.Equal(new[] { genuine.MessageId, later.MessageId }.Order(), routed.Messages.Select(r => r.MessageId).Distinct().Order());
        await using var db = new NpgsqlConnection(Database.ConnectionString);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from messages where id = @id", new { id = forged.MessageId }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>(
            "select count(*) from identities where value = 'victim@example.org'"));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from delivery_nonces"));
        Assert.Empty(await Broker.DrainQueueAsync("inbound-message-received_error"));
    }
}
