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
/// A customer's right to erasure on routing's data (issue 24): POST /customers/{id}/erase leaves nothing of the person in
/// any table (address, name, text), keeps routing's statistics about nobody, leaves another customer untouched, writes an
/// audit record without personal data, and publishes CustomerErased for the services that keep copies.
/// </summary>
public sealed class CustomerErasureTests : BrokerTest
{
    [Fact]
    public async Task Should_leave_nothing_of_the_erased_customer_in_any_table_and_tell_the_services_that_keep_copies()
    {
        await CreateAgentAsync("anna", 5, ["sms", "email"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        await using var erasedEvents = await Broker.ObserveAsync<CustomerErased>();
        var first = TestMessages.Inbound("email", "email", "giulia.bianchi@example.com", "<erase-1@mail.example.com>", "Giulia here: my flat is at Via Roma 12", "Giulia Bianchi");
        var phone = TestMessages.Inbound("sms", "phone", "+393471112233", "SM-erase-2", "Giulia again, by SMS", "Giulia Bianchi");
        var other = TestMessages.Inbound("sms", "phone", "+393339998877", "SM-erase-other", "Marco asks about chairs", "Marco Neri");
        await Broker.PublishAsync(first);
        await Broker.PublishAsync(other);
        var giulia = (await routed.WaitForAsync(r => r.MessageId == first.MessageId)).CustomerId;
        var marco = (await routed.WaitForAsync(r => r.MessageId == other.MessageId)).CustomerId;
        await Broker.PublishAsync(phone);
        var byPhone = (await routed.WaitForAsync(r => r.MessageId == phone.MessageId)).CustomerId;
        // the SMS made a customer of its own; merged, both go together
        (await Api.PostAsJsonAsync($"/customers/{giulia}/merge", new { customerId = byPhone.ToString() })).EnsureSuccessStatusCode();
        // what WhatsApp's provider said of her (the profile lookups keep it by address)
        await Broker.PublishAsync(new CustomerProfileObserved
        {
            Channel = "whatsapp", ChannelAccount = "+15550001111", ObservedAt = DateTimeOffset.UtcNow, Handle = "giulia_b",
            Address = new CustomerAddress { Kind = "phone", Value = "+393471112233", DisplayName = "Giulia Bianchi" }, PictureUrl = "https://cdn.example.com/giulia-face.jpg",
        });
        await Eventually.TrueAsync("her profile kept", async () => (await DatabaseScan.FindAsync(Database.DataSource, "giulia-face.jpg")).Count > 0);
        // what Anna wrote about her, for the next agent
        await Broker.PublishAsync(new AnnotateCustomer
        {
            AnnotationId = Guid.NewGuid(), ConversationId = (await routed.WaitForAsync(r => r.MessageId == phone.MessageId)).ConversationId, AgentId = "anna",
            Note = "Giulia's husband Paolo picks parcels up", AddTags = ["giulia-fan-club"], At = DateTimeOffset.UtcNow,
        });
        await Eventually.TrueAsync("Anna's note kept", async () => (await DatabaseScan.FindAsync(Database.DataSource, "husband Paolo")).Count > 0);
        string[] person = ["giulia.bianchi@example.com", "+393471112233", "Giulia Bianchi", "Via Roma 12", "Giulia again", "erase-1@mail.example.com", "giulia-face.jpg", "giulia_b", "husband Paolo", "giulia-fan-club"];
        Assert.NotEmpty(await DatabaseScan.FindAsync(Database.DataSource, "Via Roma 12"));

        using var response = await Api.PostAsync($"/customers/{giulia}/erase", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var erasure = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(erasure.GetProperty("rows").GetProperty("messages").GetInt32() >= 2);
        var published = await erasedEvents.WaitForAsync(e => e.ErasureId == erasure.GetProperty("erasureId").GetGuid());
        Assert.Equal(new[] { byPhone, giulia }.Order(), published.CustomerIds.Order());
        // wait for the outbox to publish what was pending (MessageRouted carries the text) before looking
        await Eventually.TrueAsync("the outbox to drain", async () =>
        {
            await using var connection = await Database.DataSource.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<int>("select count(*) from outbox") == 0;
        });
        foreach (var needle in person)
        {
            Assert.True((await DatabaseScan.FindAsync(Database.DataSource, needle)) is { Count: 0 } found, $"'{needle}' still in: {string.Join(", ", await DatabaseScan.FindAsync(Database.DataSource, needle))}");
        }
        Assert.Contains("messages.body", await DatabaseScan.FindAsync(Database.DataSource, "Marco asks about chairs"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"/customers/{marco}")).StatusCode);
        // routing's statistics stay, about nobody: the conversations, their agent and times
        var export = await (await Api.PostAsync($"/customers/{giulia}/export", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(export.GetProperty("tables").GetProperty("identities").EnumerateArray());
        Assert.All(export.GetProperty("tables").GetProperty("conversations").EnumerateArray(), c => Assert.Equal("anna", c.GetProperty("agent_id").GetString()));
        // a second erasure finds nothing more to do, and each left its audit record
        var again = await (await Api.PostAsync($"/customers/{giulia}/erase", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("rows").GetProperty("identities").GetInt32());
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(["erasure", "erasure", "export"], (await db.QueryAsync<string>(
            "select action from data_rights_audit where customer_id = @giulia order by action", new { giulia })).ToList());
    }

    [Fact]
    public async Task Should_take_erasure_from_admin_tokens_only_and_refuse_what_is_not_a_customer()
    {
        using var reader = App.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RoutingApp.ReadToken);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/customers/{Guid.NewGuid()}/erase", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync($"/customers/{Guid.NewGuid()}/erase", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync("/customers/x/erase", null)).StatusCode);
    }

    /// <summary>Everything the export gives is something the erasure deals with: a table exported and forgotten here would keep the person.</summary>
    [Fact]
    public void Should_deal_with_every_table_the_export_reads() =>
        Assert.Equal(CustomerExportStore.Tables.Keys.Order(), CustomerErasureStore.Steps.Select(s => s.Table).Order());
}
