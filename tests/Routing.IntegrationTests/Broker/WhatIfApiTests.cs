using Routing.Contracts;
using Routing.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>The operator's what-if: the centre's own last days replayed under the settings in force and under proposals.</summary>
public sealed class WhatIfApiTests : BrokerTest
{
    [Fact]
    public async Task Should_replay_the_last_days_under_the_settings_in_force_and_a_proposal()
    {
        await CreateAgentAsync("anna", 2, ["sms"]);
        await CreateAgentAsync("bruno", 1, ["sms"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        var phones = new[] { "+14155550201", "+14155550202", "+14155550203" };
        foreach (var (phone, i) in phones.Select((p, i) => (p, i)))
        {
            await Broker.PublishAsync(TestMessages.Inbound("sms", "phone", phone, $"SM-whatif-{i}"));
        }
        var first = await assigned.WaitForAsync(_ => true);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.PostAsync($"/conversations/{first.ConversationId}/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsJsonAsync("/agents/bruno/presence", new { status = "away" })).StatusCode);

        var response = await Api.PostAsJsonAsync("/simulations/what-if", new
        {
            days = 1,
            policies = new object[]
            {
                new { kind = "relationship", name = "hold 5 min", holdMinutes = new Dictionary<string, double> { ["sms"] = 5 } },
                new { kind = "relationship", name = "two more like anna", moreAgents = new[] { new { like = "anna", count = 2 } } },
            },
            holdSweepMinutes = new[] { 0.0, 2.0 },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var replay = report.GetProperty("replay");
        Assert.Equal(3, replay.GetProperty("conversations").GetInt32());
        Assert.True(replay.GetProperty("presenceChanges").GetInt32() >= 1, replay.ToString());
        var policies = report.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("summary")).ToList();
        Assert.Equal(["relationship (settings in force)", "hold 5 min", "two more like anna", "round-robin", "longest-idle", "last-agent"],
            policies.Select(p => p.GetProperty("policy").GetString()));
        Assert.Equal(4, policies[2].GetProperty("utilisationByAgent").GetArrayLength()); // anna, bruno and two like anna
        // every conversation the service routed is routed in each replay: served, or waiting when the period ends
        Assert.All(policies, p => Assert.Equal(3, p.GetProperty("conversations").GetInt32() + p.GetProperty("waitingAtEnd").GetInt32()));
        Assert.Equal(2, report.GetProperty("holdSweep").GetArrayLength());
        Assert.Equal(2, report.GetProperty("agents").GetInt32());
        // ids, channels and figures only: no customer's address leaves the database for a replay
        Assert.DoesNotContain("+1415555020", report.ToString());

        using var page = new HttpRequestMessage(HttpMethod.Post, "/simulations/what-if") { Content = JsonContent.Create(new { days = 1 }) };
        page.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var html = await Api.SendAsync(page);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        var text = await html.Content.ReadAsStringAsync();
        Assert.Contains("A replay of the routing database", text, StringComparison.Ordinal);
        Assert.Contains("<svg", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"days\": 0}", "days")]
    [InlineData("{\"days\": 91}", "days")]
    [InlineData("{\"policies\": [{\"kind\": \"round-robin\"}]}", "policies[0].kind")]
    [InlineData("{\"policies\": [{\"holdMinutes\": {\"sms\": -1}}]}", "policies[0].holdMinutes")]
    [InlineData("{\"policies\": [{\"historyLookbackDays\": 0}]}", "policies[0].historyLookbackDays")]
    [InlineData("{\"holdSweepMinutes\": [1000]}", "holdSweepMinutes")]
    [InlineData("{\"days\": \"seven\"}", "days")]
    [InlineData("{\"policies\": [{\"moreAgents\": [{\"like\": \"nobody\"}]}]}", "policies[0].moreAgents")]
    [InlineData("{\"policies\": [{\"moreAgents\": [{\"like\": \"anna\", \"count\": 500}]}]}", "policies[0].moreAgents[0]")]
    public async Task Should_refuse_a_what_if_it_cannot_run_with_a_problem(string body, string field)
    {
        var response = await Api.PostAsync("/simulations/what-if", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/agents")).StatusCode); // and the service goes on serving
    }

    [Fact]
    public async Task Should_let_only_an_admin_token_run_a_what_if()
    {
        using var reader = App.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RoutingApp.ReadToken);
        using var anonymous = App.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/simulations/what-if", new { days = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/simulations/what-if", new { days = 1 })).StatusCode);
    }
}
