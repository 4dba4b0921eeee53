using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.FollowUps;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// Follow-ups on a real PostgreSQL and RabbitMQ: an agent schedules one (alone, or as they close), it goes out when due on
/// the customer's channel as that agent's private reply, once however often the sweep runs, routing is told (FollowUpSent)
/// so the answer comes back to the agent, and the agent sees it in their tools and can cancel it before it goes.
/// </summary>
public sealed class FollowUpTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private FollowUpSender Sender => gateway.Services.GetRequiredService<FollowUpSender>();

    private readonly List<JsonElement> _commands = [];

    /// <summary>An open conversation of a new agent's, once the gateway has it.</summary>
    private async Task<(AgentClient Agent, Conversation Conversation)> AssignedAsync(bool webhook = false, string text = "Hello, my order is late")
    {
        var agent = await gateway.AgentAsync(webhook: webhook);
        var conversation = await gateway.AssignedAsync(agent, text: text);
        return (agent, conversation);
    }

    private async Task<JsonElement> CommandAsync(Guid replyId) =>
        await Eventually.ValueAsync("the follow-up's SendChannelMessage", async () =>
        {
            _commands.AddRange((await gateway.Broker.DrainQueueAsync("sms-send-channel-message")).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message")));
            return _commands.Select(m => (JsonElement?)m).FirstOrDefault(m => m!.Value.GetProperty("commandId").GetGuid() == replyId);
        });

    [Fact]
    public async Task Should_send_a_due_follow_up_once_on_the_customers_channel_and_tell_routing_and_the_agent()
    {
        var (agent, conversation) = await AssignedAsync(webhook: true, text: "The replacement is on its way?");
        await using var told = await gateway.Broker.ObserveAsync<FollowUpSent>();
        using var close = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/close",
            new { reason = "replacement shipped", followUp = new { text = "Did the replacement arrive?", dueAt = DateTimeOffset.UtcNow.AddSeconds(1) } });
        Assert.Equal(HttpStatusCode.Accepted, close.StatusCode);
        var scheduled = Assert.Single(await agent.Http.GetFromJsonAsync<JsonElement[]>("/me/follow-ups?status=scheduled") ?? [],
            f => f.GetProperty("conversationId").GetGuid() == conversation.Id);
        await Task.Delay(1100); // until it is due

        await Sender.SendDueAsync(CancellationToken.None);
        await Sender.SendDueAsync(CancellationToken.None); // a second round (or replica) sends nothing more

        var followUps = await agent.Http.GetFromJsonAsync<JsonElement[]>("/me/follow-ups?status=sent") ?? [];
        var sent = Assert.Single(followUps, f => f.GetProperty("id").GetGuid() == scheduled.GetProperty("id").GetGuid());
        var command = await CommandAsync(sent.GetProperty("replyId").GetGuid());
        Assert.Equal(("Did the replacement arrive?", "+393331234567", agent.AgentId, "private"),
            (command.GetProperty("text").GetString(), command.GetProperty("to").GetProperty("value").GetString(), command.GetProperty("agentId").GetString(),
             command.GetProperty("visibility").GetString()));
        var routing = await told.WaitForAsync(f => f.ConversationId == conversation.Id);
        Assert.Equal((agent.AgentId, conversation.CustomerId, "sms"), (routing.AgentId, routing.CustomerId, routing.Channel));
        Assert.True(routing.AnswerBy > routing.SentAt.AddDays(6));
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("sms-send-channel-message"),
            m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message").GetProperty("conversationId").GetGuid() == conversation.Id);
        var events = await Eventually.ValueAsync("the follow-up's events", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => JsonDocument.Parse(r.Body).RootElement).Where(e => e.GetProperty("type").GetString() == "follow-up.changed"
                && e.GetProperty("data").GetProperty("conversationId").GetGuid() == conversation.Id)
            .Select(e => e.GetProperty("data").GetProperty("status").GetString()).ToList() is { Count: 2 } statuses ? statuses : null));
        Assert.Equal(["scheduled", "sent"], events);
        using var tooLate = await agent.Http.DeleteAsync($"/follow-ups/{sent.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
    }

    /// <summary>
    /// The customer wrote again before the follow-up was due ("it arrived, thanks!"): asking them whether it arrived would show
    /// nobody read them, so the follow-up is cancelled when due, with the reason, and nothing goes out.
    /// </summary>
    [Fact]
    public async Task Should_cancel_a_due_follow_up_when_the_customer_wrote_first_and_send_nothing()
    {
        var (agent, conversation) = await AssignedAsync(webhook: true);
        await using var told = await gateway.Broker.ObserveAsync<FollowUpSent>();
        using var created = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/follow-ups",
            new { text = "Did the replacement arrive?", dueAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await JsonAsync(created)).GetProperty("id").GetGuid();
        await gateway.Broker.PublishAsync(conversation.Message("It arrived this morning, thanks!", agent.AgentId, "open") with
        {
            ReceivedAt = DateTimeOffset.UtcNow.AddMilliseconds(100),
        });
        await Eventually.TrueAsync("the customer's message in the agent's view", async () =>
            (await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}")).GetProperty("messages").GetArrayLength() == 2);
        await Task.Delay(1100); // until it is due

        await Sender.SendDueAsync(CancellationToken.None);

        var followUp = Assert.Single(await agent.Http.GetFromJsonAsync<JsonElement[]>("/me/follow-ups") ?? [], f => f.GetProperty("id").GetGuid() == id);
        Assert.Equal("cancelled", followUp.GetProperty("status").GetString());
        Assert.StartsWith("the customer wrote first (on sms, ", followUp.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var events = await Eventually.ValueAsync("the follow-up's events", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => JsonDocument.Parse(r.Body).RootElement).Where(e => e.GetProperty("type").GetString() == "follow-up.changed"
                && e.GetProperty("data").GetProperty("conversationId").GetGuid() == conversation.Id)
            .Select(e => e.GetProperty("data").GetProperty("status").GetString()).ToList() is { Count: 2 } statuses ? statuses : null));
        Assert.Equal(["scheduled", "cancelled"], events);
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("sms-send-channel-message"),
            m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message").GetProperty("conversationId").GetGuid() == conversation.Id);
        Assert.DoesNotContain(told.Messages, f => f.ConversationId == conversation.Id);
    }

    [Fact]
    public async Task Should_cancel_a_follow_up_that_has_not_gone_and_send_nothing()
    {
        var (agent, conversation) = await AssignedAsync();
        using var created = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/follow-ups", new { text = "All good with the order?", inDays = 0.00001 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await JsonAsync(created)).GetProperty("id").GetGuid();

        using var cancelled = await agent.Http.DeleteAsync($"/follow-ups/{id}");
        using var again = await agent.Http.DeleteAsync($"/follow-ups/{id}");
        using var stranger = await (await gateway.AgentAsync()).Http.DeleteAsync($"/follow-ups/{id}");
        await Task.Delay(100);
        await Sender.SendDueAsync(CancellationToken.None);

        Assert.Equal((HttpStatusCode.OK, "cancelled"), (cancelled.StatusCode, (await JsonAsync(cancelled)).GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode); // DELETE again: still cancelled, nothing more
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal("cancelled", Assert.Single(await agent.Http.GetFromJsonAsync<JsonElement[]>("/me/follow-ups") ?? [],
            f => f.GetProperty("id").GetGuid() == id).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_follow_up_that_cannot_be_with_the_field_at_fault_and_close_nothing()
    {
        var (agent, conversation) = await AssignedAsync();
        var (_, other) = await AssignedAsync();
        var url = $"/conversations/{conversation.Id}/follow-ups";

        using var noText = await agent.Http.PostAsJsonAsync(url, new { text = " ", inDays = 3 });
        using var past = await agent.Http.PostAsJsonAsync(url, new { text = "Hello?", dueAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        using var both = await agent.Http.PostAsJsonAsync(url, new { text = "Hello?", dueAt = DateTimeOffset.UtcNow.AddDays(1), inDays = 1 });
        using var tooFar = await agent.Http.PostAsJsonAsync(url, new { text = "Hello?", inDays = 400 });
        using var notTheirs = await agent.Http.PostAsJsonAsync($"/conversations/{other.Id}/follow-ups", new { text = "Hello?", inDays = 3 });
        using var closeRefused = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/close", new { followUp = new { text = "Hello?" } });

        foreach (var (response, field) in new[] { (noText, "text"), (past, "dueAt"), (both, "dueAt"), (tooFar, "dueAt"), (closeRefused, "dueAt") })
        {
            Assert.Equal((HttpStatusCode.BadRequest, field), (response.StatusCode, (await JsonAsync(response)).GetProperty("field").GetString()));
        }
        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        var view = await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}");
        Assert.Equal("open", view.GetProperty("conversation").GetProperty("status").GetString()); // the refused close closed nothing
        Assert.DoesNotContain(await agent.Http.GetFromJsonAsync<JsonElement[]>("/me/follow-ups") ?? [], f => f.GetProperty("conversationId").GetGuid() == conversation.Id);
    }
}
