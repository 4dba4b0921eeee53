using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.DataRights;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// Retention, the gateway's part (issue 24): the copies of conversations closed longer ago than Gateway:Retention:Conversations
/// are emptied as an erasure empties them, deliveries done longer ago than Gateway:Retention:Deliveries are deleted, and
/// everything younger stays; a second sweep finds nothing.
/// </summary>
public sealed class GatewayRetentionTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    [Fact]
    public async Task Should_empty_old_closed_conversations_and_delete_old_deliveries_only()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var old = await gateway.AssignAsync(agent.AgentId, text: "Retention: my old parcel 5512 never came");
        var young = await gateway.AssignAsync(agent.AgentId, text: "Retention: my new parcel 8841 is late");
        await Eventually.TrueAsync("both delivered to the agent's webhook", async () =>
        {
            await using var connection = await gateway.Database.DataSource.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<int>("select count(*) from gateway_deliveries where conversation_id = any(@ids) and status = 'delivered'",
                new { ids = new[] { old.Id, young.Id } }) >= 2;
        });
        await using (var connection = await gateway.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update gateway_conversations set status = 'closed', closed_at = now() - interval '800 days' where id = @id", new { id = old.Id });
            await connection.ExecuteAsync("update gateway_deliveries set created_at = now() - interval '40 days' where conversation_id = @id", new { id = young.Id });
        }
        var sweeper = gateway.Services.GetRequiredService<RetentionSweeper>();

        var swept = await sweeper.SweepOnceAsync(CancellationToken.None);
        var again = await sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.True(swept.Conversations >= 1 && swept.Deliveries >= 1, $"swept {swept}");
        Assert.Equal((0, 0), again);
        Assert.Empty(await DatabaseScan.FindAsync(gateway.Database.DataSource, "parcel 5512"));
        var young8841 = await DatabaseScan.FindAsync(gateway.Database.DataSource, "parcel 8841");
        Assert.Contains("gateway_messages.body", young8841);
        Assert.DoesNotContain(young8841, c => c.StartsWith("gateway_deliveries.", StringComparison.Ordinal));
    }
}
