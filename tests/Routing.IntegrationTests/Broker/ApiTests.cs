using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.IntegrationTests.Broker;

public sealed class ApiTests : BrokerTest
{
    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory]
    [InlineData("""{"id":"anna","name":"Anna","capacity":"three","channels":["sms"]}""", "capacity")]
    [InlineData("""{"id":"anna","name":"Anna","capacity":-1,"channels":["sms"]}""", "capacity")]
    [InlineData("""{"id":"anna","name":"Anna","capacity":1}""", "channels")]
    [InlineData("""{"id":"an na","name":"Anna","capacity":1,"channels":["sms"]}""", "id")]
    [InlineData("""{"id":"anna","capacity":1,"channels":["sms"]}""", "name")]
    [InlineData("""{"id":"anna","name":"Anna","capacity":1,"channels":["sms"],"presence":"busy"}""", "presence")]
    public async Task Should_answer_400_naming_the_field_for_a_bad_agent(string body, string field)
    {
        var response = await Api.PostAsync("/agents", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Should_answer_400_for_a_body_that_is_not_json()
    {
        var response = await Api.PostAsync("/agents", new StringContent("{\"id\": ", Encoding.UTF8, "application/json"));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_answer_404_for_unknown_ids_and_400_for_malformed_ones()
    {
        await ProblemAsync(await Api.GetAsync("/agents/nobody"), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.GetAsync($"/conversations/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.GetAsync($"/conversations/{Guid.NewGuid()}/decisions"), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.PostAsync($"/conversations/{Guid.NewGuid()}/close", null), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.GetAsync($"/customers/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.GetAsync("/customers/lookup?kind=email&value=nobody%40example.com"), HttpStatusCode.NotFound);
        await ProblemAsync(await Api.PutAsJsonAsync("/agents/nobody/presence", new { status = "away" }), HttpStatusCode.NotFound);

        var badId = await ProblemAsync(await Api.GetAsync("/conversations/not-a-uuid"), HttpStatusCode.BadRequest);
        Assert.True(badId.GetProperty("errors").TryGetProperty("id", out _));
        var badStatus = await ProblemAsync(await Api.GetAsync("/conversations?status=pending"), HttpStatusCode.BadRequest);
        Assert.True(badStatus.GetProperty("errors").TryGetProperty("status", out _));
        var badPhone = await ProblemAsync(await Api.GetAsync("/customers/lookup?kind=phone&value=12"), HttpStatusCode.BadRequest);
        Assert.True(badPhone.GetProperty("errors").TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Should_answer_400_for_a_malformed_optional_body()
    {
        var close = await Api.PostAsync($"/conversations/{Guid.NewGuid()}/close", new StringContent("{\"reason\": 5}", Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(close, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _), problem.ToString());

        var unmerge = await Api.PostAsync($"/customers/{Guid.NewGuid()}/unmerge", new StringContent("not json", Encoding.UTF8, "application/json"));
        await ProblemAsync(unmerge, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_merge_and_unmerge_customers_through_the_api()
    {
        await CreateAgentAsync("anna", 5, ["sms", "email"]);
        await using var routed = await Broker.ObserveAsync<Routing.Contracts.MessageRouted>();
        var email = Routing.Testing.TestMessages.Inbound("email", "email", "maria@example.com", "<m1@mail>");
        var sms = Routing.Testing.TestMessages.Inbound("sms", "phone", "+393331234567", "SM-m2");
        await Broker.PublishAsync(email);
        await Broker.PublishAsync(sms);
        var a = (await routed.WaitForAsync(r => r.MessageId == email.MessageId)).CustomerId;
        var b = (await routed.WaitForAsync(r => r.MessageId == sms.MessageId)).CustomerId;

        await ProblemAsync(await Api.PostAsJsonAsync($"/customers/{a}/merge", new { customerId = a.ToString() }), HttpStatusCode.BadRequest);
        await ProblemAsync(await Api.PostAsJsonAsync($"/customers/{a}/merge", new { customerId = Guid.NewGuid().ToString() }), HttpStatusCode.NotFound);
        var merged = await (await Api.PostAsJsonAsync($"/customers/{a}/merge", new { customerId = b.ToString() })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, merged.GetProperty("identities").GetArrayLength());
        var lookup = await Api.GetFromJsonAsync<JsonElement>("/customers/lookup?kind=phone&value=393331234567");
        Assert.Equal(a, lookup.GetProperty("id").GetGuid());

        var unmerged = await Api.PostAsync($"/customers/{a}/unmerge", null);
        Assert.Equal(HttpStatusCode.OK, unmerged.StatusCode);
        lookup = await Api.GetFromJsonAsync<JsonElement>("/customers/lookup?kind=phone&value=%2B393331234567");
        Assert.Equal(b, lookup.GetProperty("id").GetGuid());
        await ProblemAsync(await Api.PostAsync($"/customers/{a}/unmerge", null), HttpStatusCode.NotFound);

        var badPriority = await ProblemAsync(await Api.PutAsJsonAsync($"/customers/{a}/priority", new { priority = 1000 }), HttpStatusCode.BadRequest);
        Assert.True(badPriority.GetProperty("errors").TryGetProperty("priority", out _));
        await ProblemAsync(await Api.PutAsJsonAsync($"/customers/{Guid.NewGuid()}/priority", new { priority = 10 }), HttpStatusCode.NotFound);
        var vip = await (await Api.PutAsJsonAsync($"/customers/{a}/priority", new { priority = 10 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(10, vip.GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task Should_manage_agents_presence_and_preferred_agents()
    {
        await CreateAgentAsync("anna", 2, ["sms", "Email"]);
        var conflict = await Api.PostAsJsonAsync("/agents", new { id = "anna", name = "Anna", capacity = 2, channels = new[] { "sms" } });
        await ProblemAsync(conflict, HttpStatusCode.Conflict);

        var updated = await (await Api.PutAsJsonAsync("/agents/anna", new { capacity = 4 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, updated.GetProperty("capacity").GetInt32());
        Assert.Equal(["sms", "email"], updated.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));

        var badPresence = await ProblemAsync(await Api.PutAsJsonAsync("/agents/anna/presence", new { status = "busy" }), HttpStatusCode.BadRequest);
        Assert.True(badPresence.GetProperty("errors").TryGetProperty("status", out _));
        var away = await (await Api.PutAsJsonAsync("/agents/anna/presence", new { status = "away" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("away", away.GetProperty("presence").GetString());

        var customerId = Guid.NewGuid();
        await ProblemAsync(await Api.PutAsJsonAsync($"/customers/{customerId}/preferred-agents", new[] { "anna" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_transfer_through_the_api_and_refuse_what_cannot_be_done_with_a_problem()
    {
        await CreateAgentAsync("anna", 2, ["sms"]);
        await using var routed = await Broker.ObserveAsync<Routing.Contracts.MessageRouted>();
        var sms = Routing.Testing.TestMessages.Inbound("sms", "phone", "+393331234567", "SM-t1");
        await Broker.PublishAsync(sms);
        var conversation = (await routed.WaitForAsync(r => r.MessageId == sms.MessageId && r.AgentId == "anna")).ConversationId;
        var url = $"/conversations/{conversation}/transfer";

        var neither = await ProblemAsync(await Api.PostAsJsonAsync(url, new { note = "?" }), HttpStatusCode.BadRequest);
        Assert.True(neither.GetProperty("errors").TryGetProperty("toAgentId", out _), neither.ToString());
        await ProblemAsync(await Api.PostAsJsonAsync(url, new { toAgentId = "ben", toTeam = "billing" }), HttpStatusCode.BadRequest);
        await ProblemAsync(await Api.PostAsJsonAsync($"/conversations/{Guid.NewGuid()}/transfer", new { toAgentId = "ben" }), HttpStatusCode.NotFound);
        var noTeam = await ProblemAsync(await Api.PostAsJsonAsync(url, new { toTeam = "billing" }), HttpStatusCode.Conflict);
        Assert.Contains("no agent is in team billing", noTeam.GetProperty("detail").GetString());

        var ben = await Api.PostAsJsonAsync("/agents", new { id = "ben", name = "Ben", capacity = 2, channels = new[] { "sms" }, teams = new[] { "Billing" },
            presence = "available" });
        Assert.Equal(["billing"], (await ben.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("teams").EnumerateArray().Select(t => t.GetString()));
        await ProblemAsync(await Api.PutAsJsonAsync("/agents/ben", new { teams = new[] { "bad team" } }), HttpStatusCode.BadRequest);

        var moved = await Api.PostAsJsonAsync(url, new { toTeam = "billing", note = "invoice" });

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("done", (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var now = await Api.GetFromJsonAsync<JsonElement>($"/conversations/{conversation}");
        Assert.Equal(("ben", "billing"), (now.GetProperty("agentId").GetString(), now.GetProperty("team").GetString()));
        var transfers = await Api.GetFromJsonAsync<JsonElement>($"/conversations/{conversation}/transfers");
        var recorded = transfers.EnumerateArray().Select(t => (t.GetProperty("status").GetString(), t.GetProperty("requestedBy").GetString())).ToList();
        Assert.Equal([("refused", "operator:tests"), ("done", "operator:tests")], recorded);
    }

    [Fact]
    public async Task Should_set_teams_hours_and_agents_shifts_and_refuse_hours_it_cannot_read_naming_the_field()
    {
        await CreateAgentAsync("anna", 2, ["sms"]);
        var hours = JsonDocument.Parse("""{"timeZone":"Europe/Rome","weekly":{"monday":["09:00-18:00"]},"holidays":["2026-12-25"]}""").RootElement;

        var bad = await ProblemAsync(await Api.PutAsJsonAsync("/teams/billing/hours", new { timeZone = "Mars/Olympus" }), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("workingHours", out _), bad.ToString());
        var set = await (await Api.PutAsJsonAsync("/teams/Billing/hours", hours)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("billing", "Europe/Rome"), (set.GetProperty("name").GetString(), set.GetProperty("workingHours").GetProperty("timeZone").GetString()));
        var shift = await Api.PutAsJsonAsync("/agents/anna", new { teams = new[] { "billing" }, workingHours = hours });
        Assert.Equal(HttpStatusCode.OK, shift.StatusCode);
        var badShift = await ProblemAsync(await Api.PutAsJsonAsync("/agents/anna", new { workingHours = new { timeZone = "UTC", weekly = new { monday = new[] { "9-5" } } } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("9-5", badShift.GetProperty("errors").GetProperty("workingHours")[0].GetString());

        var teams = await Api.GetFromJsonAsync<JsonElement>("/teams");
        var billing = teams.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "billing");
        Assert.Equal(["anna"], billing.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync("/teams/billing/hours", new StringContent("null", Encoding.UTF8, "application/json"))).StatusCode);
        var agent = await Api.GetFromJsonAsync<JsonElement>("/agents/anna");
        Assert.Equal("Europe/Rome", agent.GetProperty("workingHours").GetProperty("timeZone").GetString());
    }
}
