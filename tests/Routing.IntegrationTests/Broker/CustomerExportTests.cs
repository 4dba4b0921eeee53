using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Routing.Contracts;
using Routing.Database;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// A customer's right of access (issue 24): POST /customers/{id}/export returns everything routing's database holds about
/// them, from every table that can, and nothing of anyone else; every table of the schema is classified, so a new table
/// fails here until it is.
/// </summary>
public sealed class CustomerExportTests : BrokerTest
{
    [Fact]
    public async Task Should_export_every_row_routing_holds_about_the_customer_and_nothing_of_another()
    {
        await CreateAgentAsync("anna", 5, ["sms", "email"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var first = TestMessages.Inbound("email", "email", "maria.rossi@example.com", "<export-1@mail>", "My sofa arrived broken", "Maria Rossi");
        var second = TestMessages.Inbound("email", "email", "maria.rossi@example.com", "<export-2@mail>", "Any news about the sofa?", "Maria Rossi");
        var other = TestMessages.Inbound("sms", "phone", "+393339876543", "SM-export-other", "Someone else's question", "Luca Verdi");
        await Broker.PublishAsync(first);
        await Broker.PublishAsync(other);
        var maria = (await routed.WaitForAsync(r => r.MessageId == first.MessageId)).CustomerId;
        await routed.WaitForAsync(r => r.MessageId == other.MessageId);
        await Broker.PublishAsync(second);
        await routed.WaitForAsync(r => r.MessageId == second.MessageId);
        (await Api.PutAsJsonAsync($"/customers/{maria}/preferred-agents", new[] { "anna" })).EnsureSuccessStatusCode();

        using var response = await Api.PostAsync($"/customers/{maria}/export", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"attachment; filename=\"customer-{maria}.json\"", response.Content.Headers.ContentDisposition?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var export = JsonDocument.Parse(text).RootElement;
        var tables = export.GetProperty("tables");
        Assert.Equal((maria, "routing"), (export.GetProperty("customerId").GetGuid(), export.GetProperty("service").GetString()));
        Assert.Equal(CustomerExportStore.Tables.Keys.Order(), tables.EnumerateObject().Select(t => t.Name).Order());
        Assert.Equal("Maria Rossi", tables.GetProperty("customers")[0].GetProperty("display_name").GetString());
        Assert.Equal("maria.rossi@example.com", tables.GetProperty("identities")[0].GetProperty("value").GetString());
        Assert.Equal(["My sofa arrived broken", "Any news about the sofa?"], tables.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()));
        Assert.Equal("anna", tables.GetProperty("preferred_agents")[0].GetProperty("agent_id").GetString());
        Assert.NotEmpty(tables.GetProperty("conversations").EnumerateArray());
        Assert.NotEmpty(tables.GetProperty("decisions").EnumerateArray());
        Assert.DoesNotContain("Luca", text, StringComparison.Ordinal);
        Assert.DoesNotContain("9876543", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Someone else", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_take_the_export_from_admin_tokens_only_and_refuse_what_is_not_a_customer()
    {
        using var reader = App.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RoutingApp.ReadToken);

        var byReader = await reader.PostAsync($"/customers/{Guid.NewGuid()}/export", null);
        var unknown = await Api.PostAsync($"/customers/{Guid.NewGuid()}/export", null);
        var malformed = await Api.PostAsync("/customers/not-a-uuid/export", null);

        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True((await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("id", out _));
    }

    /// <summary>Every table of routing's schema either gives up the customer's rows or says why it holds none of them; no entry names a table that is gone.</summary>
    [Fact]
    public async Task Should_classify_every_table_of_the_schema()
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")).ToHashSet();

        var unclassified = tables.Except(CustomerExportStore.Tables.Keys).Except(CustomerExportStore.NotPersonal.Keys).Order().ToList();
        var stale = CustomerExportStore.Tables.Keys.Concat(CustomerExportStore.NotPersonal.Keys).Where(t => !tables.Contains(t)).ToList();

        Assert.True(unclassified.Count == 0, "tables neither exported nor said to hold no personal data (Database/CustomerExportStore): " + string.Join(", ", unclassified));
        Assert.Empty(stale);
        Assert.Empty(CustomerExportStore.Tables.Keys.Intersect(CustomerExportStore.NotPersonal.Keys));
    }
}
