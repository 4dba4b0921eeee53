using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Samples;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// Where customers raise their voice, through the running local stack (issue 25): a comment under the Page's post is a public
/// conversation; the agent's private reply goes as Meta's private reply (the sandbox's), whose answer joins the commenter's
/// Messenger id, so their answer there continues the conversation; the agent closes it with a follow-up, which goes out when
/// due, and the customer's answer to it comes back to the same agent.
/// </summary>
public sealed class PublicStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
    private TestBroker _broker = null!;
    private HttpClient _admin = null!;
    private string _agentId = "";

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
        _admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
    }

    public async Task DisposeAsync()
    {
        if (_agentId.Length > 0)
        {
            await _routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{_agentId}/presence", new { status = "offline" });
        }
        _admin.Dispose();
        await _broker.DisposeAsync();
        _http.Dispose();
        _routing.Dispose();
    }

    [Fact]
    public async Task Should_answer_a_comment_privately_continue_on_messenger_and_bring_the_follow_ups_answer_back_to_the_agent()
    {
        _agentId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        (await _routing.PostAsJsonAsync($"{LocalStack.Routing}/agents", new { id = _agentId, name = "E2E Agent", capacity = 50, channels = new[] { "facebook" }, presence = "available" }))
            .EnsureSuccessStatusCode();
        var token = (await (await _admin.PostAsync($"/admin/agents/{_agentId}/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("token").GetString();
        using var agent = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        await using var assigned = await _broker.ObserveAsync<ConversationAssigned>();
        var run = Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var psid = "87" + run;
        var commentId = $"838212218440829_{run}";
        (await _http.PutAsJsonAsync($"{LocalStack.Sandbox}/commenters/facebook/{commentId}", new { recipient_id = psid })).EnsureSuccessStatusCode();

        using (var request = SampleWebhooks.FacebookComment(LocalStack.Facebook, LocalStack.Secrets["Facebook__AppSecret"], commentId,
                   "1353269864728879_838212218440829", "91" + run, "Rosa Fontana", $"Order {run} never came. Anyone there?"))
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        }
        var comment = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("facebook", commentId));
        Assert.Equal((MessageVisibility.Public, "facebook-user"), (comment.Visibility, comment.Sender.Kind));
        if (comment.AgentId != _agentId)
        {
            // another agent of the stack took it: an operator hands it to this test's agent
            (await _routing.PostAsJsonAsync($"{LocalStack.Routing}/conversations/{comment.ConversationId}/transfer", new { toAgentId = _agentId }))
                .EnsureSuccessStatusCode();
        }
        await Eventually.TrueAsync("the conversation open for the agent in the gateway", async () =>
            await agent.GetAsync($"/conversations/{comment.ConversationId}") is { StatusCode: HttpStatusCode.OK } r
            && (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversation").GetProperty("status").GetString() == "open");

        using (var reply = await agent.PostAsJsonAsync($"/conversations/{comment.ConversationId}/replies", new { text = $"private: Hi Rosa, which order is {run}?" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
            Assert.Equal("private", (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("visibility").GetString());
        }
        var privateReply = await Eventually.ValueAsync("Meta's private reply in the sandbox", async () => (await LocalStack.SentAsync(_http)).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("body").ToString().Contains(commentId, StringComparison.Ordinal)));
        Assert.Equal(commentId, privateReply.GetProperty("body").GetProperty("recipient").GetProperty("comment_id").GetString());
        await Eventually.TrueAsync("the Messenger id joined to the commenter", async () =>
            (await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/customers/{comment.CustomerId}")).GetProperty("identities").EnumerateArray()
                .Any(i => i.GetProperty("kind").GetString() == "facebook" && i.GetProperty("value").GetString() == psid));

        var (answer, answerId, _, _) = CustomerWebhooks.For("facebook", psid, $"It is order {run}, thanks");
        using (answer)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(answer)).StatusCode);
        }
        var continued = await routed.WaitForAsync(m => m.MessageId == answerId);
        Assert.Equal((comment.ConversationId, _agentId), (continued.ConversationId, continued.AgentId));

        await Eventually.TrueAsync("the answer shown to the agent", async () =>
            (await agent.GetStringAsync($"/conversations/{comment.ConversationId}")).Contains($"It is order {run}", StringComparison.Ordinal));
        using (var close = await agent.PostAsJsonAsync($"/conversations/{comment.ConversationId}/close",
                   new { reason = "replacement sent", followUp = new { text = $"Did replacement {run} arrive?", dueAt = DateTimeOffset.UtcNow.AddSeconds(1) } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, close.StatusCode);
        }
        var followUp = await Eventually.ValueAsync("the follow-up sent to the customer's Messenger", async () => (await LocalStack.SentAsync(_http)).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("body").ToString().Contains($"Did replacement {run} arrive?", StringComparison.Ordinal)));
        Assert.Equal(psid, followUp.GetProperty("body").GetProperty("recipient").GetProperty("id").GetString());

        await Task.Delay(TimeSpan.FromSeconds(1)); // routing hears of the follow-up (FollowUpSent) right after it went
        var (thanks, thanksId, _, _) = CustomerWebhooks.For("facebook", psid, "Yes, it arrived!");
        using (thanks)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(thanks)).StatusCode);
        }
        var next = await routed.WaitForAsync(m => m.MessageId == thanksId);
        var offered = await assigned.WaitForAsync(a => a.ConversationId == next.ConversationId);
        Assert.NotEqual(comment.ConversationId, next.ConversationId);
        Assert.Equal((_agentId, RoutingReasons.FollowUpAgent), (offered.AgentId, offered.Receipt.Reason));
    }
}
