using Dapper;
using Routing.Contracts;
using Routing.Testing;
using System.Net.Http.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// RabbitMQ goes away under routing while messages wait and others are being routed (a broker restart, a lost
/// connection): routing reconnects by itself, every message is routed once and nothing is dead-lettered. The outage is a proxy between routing and the broker that resets every connection; the test
/// publishes and watches on the broker directly.
/// </summary>
public sealed class BrokerOutageTests : InfrastructureTest
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Should_route_every_message_once_after_losing_the_broker_and_dead_letter_none()
    {
        var direct = new Uri(Broker.Url);
        await using var proxy = TcpProxy.To(direct.Host, direct.Port);
        var throughProxy = new UriBuilder(direct) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        await using var app = new RoutingApp(Database.ConnectionString, throughProxy, new Dictionary<string, string?> { ["Logging:LogLevel:MassTransit"] = "Information" });
        using var api = app.CreateClient();
        await Eventually.TrueAsync("routing's /health/ready", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        (await api.PostAsJsonAsync("/agents", new { id = "anna", name = "Anna", capacity = 500, channels = new[] { "sms" }, presence = "available" }))
            .EnsureSuccessStatusCode();
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        var before = Messages("before", 20);
        var during = Messages("during", 20);

        foreach (var message in before)
        {
            await Broker.PublishAsync(message); // some are in hand when the connection goes
        }
        proxy.Cut();
        foreach (var message in during)
        {
            await Broker.PublishAsync(message);
        }
        await Task.Delay(Outage);
        proxy.Restore();

        var all = before.Concat(during).Select(m => m.MessageId).ToHashSet();
        await Eventually.TrueAsync("every message routed", () => Task.FromResult(all.IsSubsetOf(routed.Messages.Select(r => r.MessageId))));
        await Eventually.TrueAsync("routing's /health/ready after the outage", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        // Events leave through the outbox at least once (a publish whose confirm was lost goes again); what must be
        // once is in the database: one message row per message, one conversation per new customer.
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal((all.Count, all.Count), (await connection.ExecuteScalarAsync<int>("select count(*) from messages"),
            await connection.ExecuteScalarAsync<int>("select count(*) from conversations")));
        await Eventually.TrueAsync("an assignment for every conversation",
            () => Task.FromResult(assigned.Messages.Select(a => a.ConversationId).Distinct().Count() == all.Count));
        Assert.Empty(await Broker.DrainQueueAsync("inbound-message-received_error"));
    }

    private static List<InboundMessageReceived> Messages(string batch, int count) =>
        Enumerable.Range(0, count).Select(i => TestMessages.Inbound("sms", "phone", $"+1415666{(batch == "before" ? 0 : 5)}{i:000}", $"SM-{batch}-{i}")).ToList();
}
