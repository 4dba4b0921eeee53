using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Routing.Contracts;
using Routing.Database;
using Routing.Retention;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Retention (issue 24): the sweep removes what customers wrote in conversations closed longer ago than Routing:Retention:Messages
/// (the rows kept for statistics), their receipts, old presence changes and profiles of addresses nobody has, and leaves
/// everything younger, open or still someone's; a second sweep finds nothing.
/// </summary>
public sealed class RetentionTests : BrokerTest
{
    [Fact]
    public async Task Should_remove_what_outlived_its_retention_and_nothing_else()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var old = TestMessages.Inbound("sms", "phone", "+14155550201", "SM-r1", "My address is Via Vecchia 3", "Old Customer");
        var current = TestMessages.Inbound("sms", "phone", "+14155550202", "SM-r2", "Still talking about Via Nuova 5", "New Customer");
        await Broker.PublishAsync(old);
        await Broker.PublishAsync(current);
        var oldConversation = (await routed.WaitForAsync(r => r.MessageId == old.MessageId)).ConversationId;
        await routed.WaitForAsync(r => r.MessageId == current.MessageId);
        (await Api.PostAsync($"/conversations/{oldConversation}/close", null)).EnsureSuccessStatusCode();
        await Broker.PublishAsync(new CustomerProfileObserved
        {
            Channel = "facebook", ChannelAccount = "page", ObservedAt = DateTimeOffset.UtcNow.AddDays(-2),
            Address = new CustomerAddress { Kind = "facebook", Value = "99887766", DisplayName = "Nobody Wrote" },
        });
        await Eventually.TrueAsync("the profile kept", async () => (await DatabaseScan.FindAsync(Database.DataSource, "Nobody Wrote")).Count > 0);
        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update conversations set closed_at = now() - interval '800 days' where id = @oldConversation", new { oldConversation });
            await connection.ExecuteAsync("insert into presence_changes (agent_id, presence, at) values ('anna', 'away', now() - interval '500 days')");
        }
        var sweeper = App.Services.GetRequiredService<RetentionSweeper>();

        var swept = await sweeper.SweepOnceAsync(CancellationToken.None);
        var again = await sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(RetentionStore.Statements.Keys.Order(), swept.Keys.Order());
        Assert.Equal((1, 1, 1), (swept["messages"], swept["presence_changes"], swept["unclaimed_profiles"]));
        Assert.True(swept["receipts"] >= 1);
        Assert.All(again.Values, n => Assert.Equal(0, n));
        Assert.Empty(await DatabaseScan.FindAsync(Database.DataSource, "Via Vecchia 3"));
        Assert.Empty(await DatabaseScan.FindAsync(Database.DataSource, "Nobody Wrote"));
        Assert.Contains("messages.body", await DatabaseScan.FindAsync(Database.DataSource, "Via Nuova 5"));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from decisions where conversation_id = @oldConversation", new { oldConversation }));
        Assert.True(await db.ExecuteScalarAsync<int>("select count(*) from decisions where conversation_id <> @oldConversation", new { oldConversation }) > 0);
        // the conversation stays for statistics, with its agent and times
        var kept = await Api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/conversations/{oldConversation}");
        Assert.Equal("anna", kept.GetProperty("agentId").GetString());
    }
}
