using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>The gateway reaching RabbitMQ through a proxy the test can black-hole.</summary>
public sealed class BrokerProxiedGatewayHost : GatewayHost
{
    protected override bool BrokerThroughProxy => true;
}

/// <summary>
/// An agent's reply whose publish the broker never confirms (a partition: the bytes go nowhere, nobody answers). The
/// gateway used to delete the reply's record, though the command might have reached the queue; now it keeps it, marked
/// unconfirmed, and the agent's retry with the same Idempotency-Key publishes the same command id once more.
/// </summary>
/// <remarks>
/// A gateway of its own per test: a black-holed broker leaves the bus to reconnect at its own pace (and its watchdog to call
/// it wedged), so a test that came after another's partition on a shared host waited for consumers still reconnecting.
/// </remarks>
public sealed class ReplyPublishTests : IAsyncLifetime
{
    private readonly BrokerProxiedGatewayHost gateway = new();

    public Task InitializeAsync() => gateway.InitializeAsync();

    public Task DisposeAsync() => gateway.DisposeAsync();

    /// <summary>A new agent's open conversation, and the agent's reply to it (always the same text and Idempotency-Key).</summary>
    private async Task<(Guid ConversationId, Func<Task<HttpResponseMessage>> ReplyAsync)> OpenConversationAsync(string text, string idempotencyKey)
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await Eventually.TrueAsync("the conversation at the gateway", async () =>
            (await agent.Http.GetAsync($"/conversations/{conversation.Id}")).StatusCode == HttpStatusCode.OK);
        return (conversation.Id, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversation.Id}/replies") { Content = JsonContent.Create(new { text }) };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return await agent.Http.SendAsync(request);
        });
    }

    [Fact]
    public async Task Should_keep_a_reply_whose_publish_was_not_confirmed_and_publish_it_again_for_the_agents_retry()
    {
        var (conversationId, reply) = await OpenConversationAsync("It ships today.", "partition-1");

        gateway.BrokerProxy!.BlackHole();
        using var unconfirmed = await reply();
        await using (var db = await gateway.Database.DataSource.OpenConnectionAsync())
        {
            var kept = await db.QuerySingleOrDefaultAsync<(string Status, string? ErrorCode)>(
                "select status, error_code from gateway_messages where conversation_id = @id and direction = 'out'", new { id = conversationId });
            Assert.Equal(("requested", "publish-unconfirmed"), kept);
        }
        gateway.BrokerProxy.Restore();
        var retried = await Eventually.ValueAsync("the agent's retry accepted once the broker is back", async () =>
        {
            using var response = await reply();
            return response.IsSuccessStatusCode ? (JsonElement?)await response.Content.ReadFromJsonAsync<JsonElement>() : null;
        });
        using var again = await reply();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unconfirmed.StatusCode);
        Assert.Equal("application/problem+json", unconfirmed.Content.Headers.ContentType?.MediaType);
        var replyId = retried.GetProperty("id").GetGuid();
        var commands = await Eventually.ValueAsync("the command on the SMS adapter's queue", async () =>
        {
            var drained = await gateway.Broker.DrainQueueAsync("sms-send-channel-message");
            return drained.Count > 0 ? drained : null;
        });
        Assert.All(commands, c => Assert.Equal(replyId, JsonDocument.Parse(c.Body).RootElement.GetProperty("message").GetProperty("commandId").GetGuid()));
        Assert.Single(commands); // the black-holed publish never arrived; the retry's did, and the third request sent nothing
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(replyId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    /// <summary>
    /// make chaos (broker-kill) found a reply accepted and never sent: the agent's tool sent the reply, timed out, and sent it
    /// again while the first request was still waiting for the broker; the second was answered 202 from the record, then
    /// the first found its publish unconfirmed and nobody tried again. A repeat during the publish is now 409 with Retry-After.
    /// </summary>
    [Fact]
    public async Task Should_answer_409_to_a_repeat_that_arrives_while_the_first_request_is_still_publishing()
    {
        var (conversationId, reply) = await OpenConversationAsync("It ships on Monday.", "in-flight-1");

        gateway.BrokerProxy!.BlackHole();
        var first = reply();
        await Eventually.TrueAsync("the first request publishing", async () =>
        {
            await using var db = await gateway.Database.DataSource.OpenConnectionAsync();
            return await db.ExecuteScalarAsync<string?>(
                "select error_code from gateway_messages where conversation_id = @id and direction = 'out'", new { id = conversationId }) == "publishing";
        });
        using var repeat = await reply();
        using var unconfirmed = await first;
        gateway.BrokerProxy.Restore();
        var retried = await Eventually.ValueAsync("the retry accepted once the broker is back", async () =>
        {
            using var response = await reply();
            return response.IsSuccessStatusCode ? (JsonElement?)await response.Content.ReadFromJsonAsync<JsonElement>() : null;
        });

        Assert.Equal(HttpStatusCode.Conflict, repeat.StatusCode);
        Assert.Equal("application/problem+json", repeat.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", repeat.Headers.GetValues("Retry-After").Single());
        Assert.Equal("Idempotency-Key", (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unconfirmed.StatusCode);
        var commands = await Eventually.ValueAsync("the command on the SMS adapter's queue", async () =>
        {
            var drained = await gateway.Broker.DrainQueueAsync("sms-send-channel-message");
            return drained.Count > 0 ? drained : null;
        });
        Assert.Equal(retried.GetProperty("id").GetGuid(),
            JsonDocument.Parse(Assert.Single(commands).Body).RootElement.GetProperty("message").GetProperty("commandId").GetGuid());
    }
}
