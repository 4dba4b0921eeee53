using Routing.Contracts;
using Routing.Testing;
using System.Net.Http.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// PostgreSQL goes away under routing while messages wait (a crash, a failover, a minor upgrade): nothing is
/// dead-lettered, and once it is back every message is routed once. The outage is a proxy between routing and the
/// test database that resets every connection, so the shared server stays up for the other tests.
/// </summary>
public sealed class DatabaseOutageTests : InfrastructureTest
{
    /// <summary>Longer than any in-memory retry schedule that gives up: the outage the issue measured lasted 40 s.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_route_every_message_once_after_a_database_outage_and_dead_letter_none()
    {
        var (proxy, throughProxy) = TcpProxy.ForPostgres(Database.ConnectionString);
        await using var _ = proxy;
        await using var app = new RoutingApp(throughProxy, Broker.Url);
        using var api = app.CreateClient();
        await Eventually.TrueAsync("routing's /health/ready", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        (await api.PostAsJsonAsync("/agents", new { id = "anna", name = "Anna", capacity = 500, channels = new[] { "sms" }, presence = "available" }))
            .EnsureSuccessStatusCode();
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var messages = Enumerable.Range(0, 40)
            .Select(i => TestMessages.Inbound("sms", "phone", $"+1415555{i:0000}", $"SM-outage-{i}")).ToList();

        proxy.Cut();
        foreach (var message in messages)
        {
            await Broker.PublishAsync(message);
        }
        await Task.Delay(Outage);
        var errorsDuringOutage = await Broker.DrainQueueAsync("inbound-message-received_error");
        proxy.Restore();
        Assert.True(errorsDuringOutage.Count == 0, $"{errorsDuringOutage.Count} of {messages.Count} messages dead-lettered during the outage: " +
            string.Join(" | ", errorsDuringOutage.Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message")).Distinct()));

        await routed.WaitForCountAsync(messages.Count);
        Assert.Empty(await Broker.DrainQueueAsync("inbound-message-received_error"));
        Assert.All(messages, m => Assert.Single(routed.Messages, r => r.MessageId == m.MessageId));
    }
}
