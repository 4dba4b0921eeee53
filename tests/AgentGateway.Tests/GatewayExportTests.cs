using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Routing.AgentGateway.DataRights;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// A customer's right of access, the gateway's part (issue 24): POST /admin/customers/{id}/export returns the gateway's
/// copies of their conversations and messages, the events and deliveries that carried them to agents' tools, and nothing of
/// another customer; every table of the gateway's schema is classified.
/// </summary>
public sealed class GatewayExportTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    [Fact]
    public async Task Should_export_the_gateways_copies_of_the_customers_data_and_nothing_of_another()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var maria = await gateway.AssignAsync(agent.AgentId, text: "The sofa's leg broke on the first day");
        var other = await gateway.AssignAsync(agent.AgentId, text: "Another customer's question about chairs");
        await Eventually.TrueAsync("both conversations delivered to the agent's webhook", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => System.Text.Encoding.UTF8.GetString(r.Body))
            .Count(body => body.Contains(maria.Id.ToString(), StringComparison.Ordinal) || body.Contains(other.Id.ToString(), StringComparison.Ordinal)) >= 2));

        using var response = await gateway.Admin.PostAsync($"/admin/customers/{maria.CustomerId}/export", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var tables = JsonDocument.Parse(text).RootElement.GetProperty("tables");
        Assert.Equal(GatewayExportStore.Tables.Keys.Order(), tables.EnumerateObject().Select(t => t.Name).Order());
        Assert.Equal(maria.Id, Assert.Single(tables.GetProperty("gateway_conversations").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Contains(tables.GetProperty("gateway_messages").EnumerateArray(), m => m.GetProperty("body").GetString() == "The sofa's leg broke on the first day");
        Assert.Contains(tables.GetProperty("gateway_agent_events").EnumerateArray(), e => e.GetProperty("body").GetProperty("type").GetString() == "conversation.assigned");
        Assert.NotEmpty(tables.GetProperty("gateway_deliveries").EnumerateArray());
        Assert.DoesNotContain("chairs", text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Id.ToString(), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_without_the_admin_token_and_answer_404_and_400()
    {
        using var anonymous = gateway.Anonymous();

        var unauthenticated = await anonymous.PostAsync($"/admin/customers/{Guid.NewGuid()}/export", null);
        var unknown = await gateway.Admin.PostAsync($"/admin/customers/{Guid.NewGuid()}/export", null);
        var malformed = await gateway.Admin.PostAsync("/admin/customers/not-a-uuid/export", null);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True((await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Should_classify_every_table_of_the_schema()
    {
        await using var connection = await gateway.Database.DataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")).ToHashSet();

        var unclassified = tables.Except(GatewayExportStore.Tables.Keys).Except(GatewayExportStore.NotPersonal.Keys).Order().ToList();
        var stale = GatewayExportStore.Tables.Keys.Concat(GatewayExportStore.NotPersonal.Keys).Where(t => !tables.Contains(t)).ToList();

        Assert.True(unclassified.Count == 0, "tables neither exported nor said to hold no personal data (DataRights/GatewayExportStore): " + string.Join(", ", unclassified));
        Assert.Empty(stale);
    }
}
