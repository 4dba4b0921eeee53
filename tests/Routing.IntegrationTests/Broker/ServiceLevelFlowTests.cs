using Routing.Contracts;
using Routing.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Routing.IntegrationTests.Broker;

/// <summary>Service levels through the broker and the API: the adapters' OutboundMessageSent is a conversation's first response.</summary>
public sealed class ServiceLevelFlowTests : BrokerTest
{
    [Fact]
    public async Task Should_take_the_first_response_from_the_adapters_sent_reply_and_report_it()
    {
        await CreateAgentAsync("anna", 2, ["sms"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await Broker.PublishAsync(TestMessages.Inbound("sms", "phone", "+14155550101", "SM-sl-1"));
        var assignment = await assigned.WaitForAsync(a => a.AgentId == "anna");

        // an auto-reply (no agent wrote it), a reply to a conversation routing never had, and anna's reply
        await Broker.PublishAsync(Sent(assignment.ConversationId, "routing"));
        var unknown = Guid.NewGuid();
        await Broker.PublishAsync(Sent(unknown, "anna"));
        var reply = Sent(assignment.ConversationId, "anna");
        await Broker.PublishAsync(reply);

        var report = await Eventually.ValueAsync("the first response in the report", async () =>
        {
            var r = await Api.GetFromJsonAsync<JsonElement>($"/reports/service-levels?from={Uri.EscapeDataString(since.ToString("O"))}");
            return r.GetProperty("total").GetProperty("answered").GetInt64() == 1 ? r : (JsonElement?)null;
        });
        var total = report.GetProperty("total");
        Assert.Equal((1, 1), (total.GetProperty("conversations").GetInt64(), total.GetProperty("assigned").GetInt64()));
        Assert.True(total.GetProperty("firstResponse").GetProperty("p50Seconds").GetDouble() >= 0);
        Assert.Equal("sms", report.GetProperty("groups")[0].GetProperty("channel").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("groups")[0].GetProperty("team").ValueKind);

        var errors = await WaitForErrorsAsync("reply-sent_error", 1);
        Assert.Contains(unknown.ToString(), errors.Single().Headers.GetValueOrDefault("MT-Fault-Message", ""));
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-12-01T00:00:00", "to")] // no offset: whose midnight?
    [InlineData("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from")]
    [InlineData("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("team=not%20a%20team", "team")]
    public async Task Should_refuse_a_report_it_cannot_make_with_a_problem(string query, string field)
    {
        var response = await Api.GetAsync($"/reports/service-levels?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private static OutboundMessageSent Sent(Guid conversationId, string agentId) => new()
    {
        CommandId = Guid.NewGuid(), ConversationId = conversationId, Channel = "sms", ProviderMessageId = $"SM{Guid.NewGuid():N}",
        SentAt = DateTimeOffset.UtcNow, AgentId = agentId,
    };
}
