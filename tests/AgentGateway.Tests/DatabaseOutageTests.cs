using System.Net.Http.Json;
using System.Text.Json;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>The gateway reaching its database through a proxy the test can cut.</summary>
public sealed class ProxiedGatewayHost : GatewayHost
{
    protected override bool DatabaseThroughProxy => true;
}

/// <summary>
/// The gateway's database goes away while routing's events arrive (a crash, a failover): none is dead-lettered, and once
/// it is back the agent sees every conversation. The proxy resets every connection; the shared server stays up.
/// </summary>
public sealed class DatabaseOutageTests(ProxiedGatewayHost gateway) : IClassFixture<ProxiedGatewayHost>
{
    /// <summary>Longer than any in-memory retry schedule that gives up.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_apply_every_event_of_a_database_outage_once_it_is_back_and_dead_letter_none()
    {
        var agent = await gateway.AgentAsync();

        gateway.DatabaseProxy!.Cut();
        var conversations = new List<Conversation>();
        for (var i = 0; i < 20; i++)
        {
            conversations.Add(await gateway.AssignAsync(agent.AgentId, text: $"Hello ({i})"));
        }
        await Task.Delay(Outage);
        var errorsDuringOutage = await gateway.Broker.DrainQueueAsync("agent-gateway_error");
        gateway.DatabaseProxy.Restore();

        Assert.True(errorsDuringOutage.Count == 0, $"{errorsDuringOutage.Count} events dead-lettered during the outage: " +
            string.Join(" | ", errorsDuringOutage.Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message")).Distinct()));
        var listed = await Eventually.ValueAsync("the agent's 20 conversations after the outage", async () =>
        {
            var mine = await agent.Http.GetFromJsonAsync<JsonElement>("/me/conversations");
            return mine.GetArrayLength() == conversations.Count ? mine.EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToHashSet() : null;
        });
        Assert.Equal(conversations.Select(c => c.Id).ToHashSet(), listed);
        Assert.Empty(await gateway.Broker.DrainQueueAsync("agent-gateway_error"));
    }
}
