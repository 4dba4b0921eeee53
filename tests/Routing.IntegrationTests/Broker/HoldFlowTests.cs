using Routing.Contracts;
using Routing.Testing;
using System.Net.Http.Json;
using System.Text.Json;

namespace Routing.IntegrationTests.Broker;

public sealed class HoldFlowTests : InfrastructureTest
{

    [Fact]
    public async Task Should_hold_for_a_busy_owner_then_fall_back_when_the_real_sweeper_fires()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url, new Dictionary<string, string?>
        {
            ["Routing:HoldWait:whatsapp"] = "00:00:01",
        });
        using var api = app.CreateClient();
        // The bus starts after the host does: until its endpoints are ready, a published message reaches no queue of routing's.
        await Eventually.TrueAsync("routing's /health/ready", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        (await api.PostAsJsonAsync("/agents", new { id = "anna", name = "Anna", capacity = 1, channels = new[] { "whatsapp" }, presence = "available" })).EnsureSuccessStatusCode();
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var held = await Broker.ObserveAsync<ConversationHeld>();
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();

        // Maria's first conversation makes Anna her owner; another customer then fills Anna's only slot.
        var first = TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.1");
        await Broker.PublishAsync(first);
        var maria = await routed.WaitForAsync(r => r.MessageId == first.MessageId);
        (await api.PostAsync($"/conversations/{maria.ConversationId}/close", null)).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/customers/{maria.CustomerId}/preferred-agents", new[] { "anna" })).EnsureSuccessStatusCode();
        var other = TestMessages.Inbound("whatsapp", "phone", "+14155552671", "wamid.2");
        await Broker.PublishAsync(other);
        await routed.WaitForAsync(r => r.MessageId == other.MessageId && r.AgentId == "anna");
        (await api.PostAsJsonAsync("/agents", new { id = "ben", name = "Ben", capacity = 1, channels = new[] { "whatsapp" }, presence = "available" })).EnsureSuccessStatusCode();

        var again = TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.3");
        await Broker.PublishAsync(again);

        var hold = await held.WaitForAsync(h => h.CustomerId == maria.CustomerId);
        Assert.Equal(["anna"], hold.HeldFor);
        var fallback = await assigned.WaitForAsync(a => a.ConversationId == hold.ConversationId);
        Assert.Equal(("ben", "hold-expired", "fallback"), (fallback.AgentId, fallback.Receipt.Trigger, fallback.Receipt.Reason));
        Assert.Contains(fallback.Receipt.Candidates, c => c.AgentId == "anna" && c.Verdict == "1/1 open");
        var decisions = await api.GetFromJsonAsync<JsonElement>($"/conversations/{hold.ConversationId}/decisions");
        Assert.Equal(["held", "assigned"], decisions.EnumerateArray().Select(d => d.GetProperty("outcome").GetString()));
    }
}
