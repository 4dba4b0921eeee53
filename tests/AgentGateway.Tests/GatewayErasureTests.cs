using System.Net;
using System.Text.Json;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// A customer's erasure, the gateway's part (issue 24): on routing's CustomerErased the gateway's copies go, and nothing of
/// the person (address, name, text, the file they sent) can be found in any table afterwards; a redelivery is harmless.
/// </summary>
public sealed class GatewayErasureTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    [Fact]
    public async Task Should_leave_nothing_of_the_erased_customer_in_any_table()
    {
        const string text = "My name is Maria Rossi and my order 7731 is late";
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId, text: text);
        await Eventually.TrueAsync("the conversation delivered to the agent's webhook", () => Task.FromResult(gateway.Receiver.Requests
            .Any(r => System.Text.Encoding.UTF8.GetString(r.Body).Contains(conversation.Id.ToString(), StringComparison.Ordinal))));
        Assert.NotEmpty(await DatabaseScan.FindAsync(gateway.Database.DataSource, "Maria Rossi"));

        var erased = new CustomerErased
        {
            ErasureId = Guid.NewGuid(), CustomerIds = [conversation.CustomerId], ConversationIds = [conversation.Id], ErasedAt = DateTimeOffset.UtcNow,
        };
        await gateway.Broker.PublishAsync(erased);
        await Eventually.TrueAsync("the gateway to erase its copies", async () => (await DatabaseScan.FindAsync(gateway.Database.DataSource, "7731")).Count == 0);
        await gateway.Broker.PublishAsync(erased); // redelivered

        foreach (var needle in new[] { "Maria Rossi", "+393331234567", "maria@example.com", "order 7731" })
        {
            Assert.Empty(await DatabaseScan.FindAsync(gateway.Database.DataSource, needle));
        }
        // the conversation itself stays for agents' statistics, about nobody
        var kept = await gateway.Admin.PostAsync($"/admin/customers/{conversation.CustomerId}/export", null);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var message = JsonDocument.Parse(await kept.Content.ReadAsStringAsync()).RootElement.GetProperty("tables").GetProperty("gateway_messages")[0];
        Assert.Equal(("erased", JsonValueKind.Null), (message.GetProperty("address_value").GetString(), message.GetProperty("body").ValueKind));
    }
}
