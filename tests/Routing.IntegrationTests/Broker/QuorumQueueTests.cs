using Routing.Contracts;
using Routing.Testing;
using System.Net.Http.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>Production runs on quorum queues, which need an explicit delivery limit (RabbitMQ 3.10 dead-letters at the first retry with -1).</summary>
public sealed class QuorumQueueTests : InfrastructureTest
{

    [Fact]
    public async Task Should_route_on_quorum_queues_with_an_explicit_delivery_limit()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url, new Dictionary<string, string?>
        {
            ["RabbitMq:QuorumQueues"] = "true",
            ["RabbitMq:DeliveryLimit"] = "7",
        });
        using var api = app.CreateClient();
        // The bus starts after the host does: until its endpoints are ready, a published message reaches no queue of routing's.
        await Eventually.TrueAsync("routing's /health/ready", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        (await api.PostAsJsonAsync("/agents", new { id = "anna", name = "Anna", capacity = 1, channels = new[] { "sms" }, presence = "available" })).EnsureSuccessStatusCode();
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();

        await Broker.PublishAsync(TestMessages.Inbound("sms", "phone", "+14155552671", "SM-quorum"));

        Assert.Equal("anna", (await assigned.WaitForAsync(a => a.AgentId == "anna")).AgentId);
        var queue = await Broker.QueueInfoAsync("inbound-message-received");
        Assert.Equal("quorum", queue.GetProperty("type").GetString());
        Assert.Equal(7, queue.GetProperty("arguments").GetProperty("x-delivery-limit").GetInt32());
    }
}
