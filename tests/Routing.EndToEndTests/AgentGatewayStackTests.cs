using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// An agent's whole loop through the running stack: a signed SMS webhook in, routed to the customer's owner,
/// delivered to the agent's tool as a signed webhook with the customer's context; the agent replies through the
/// gateway's API and the reply reaches the provider sandbox as Twilio's API expects it; its status and the close
/// come back to the tool.
/// </summary>
public sealed class AgentGatewayStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private TestBroker _broker = null!;
    private Receiver _tool = null!;

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
        _tool = await Receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _tool.DisposeAsync();
        await _broker.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Should_deliver_a_customers_sms_to_the_owners_tool_and_send_the_owners_reply_back_by_sms()
    {
        var agentId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        (await _http.PostAsJsonAsync($"{LocalStack.Routing}/agents",
            new { id = agentId, name = "E2E Agent", capacity = 50, channels = new[] { "sms", "whatsapp", "email" }, presence = "available" })).EnsureSuccessStatusCode();
        using var admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
        var token = (await (await admin.PostAsync($"/admin/agents/{agentId}/tokens", null)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var secret = (await (await admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = _tool.Url + "/hooks" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        using var agent = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // A customer writes, becomes the agent's customer (owner), and writes again: the new conversation is the owner's.
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var phone = "+447700" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = await SmsAsync(routed, phone, "Hello, I ordered a sofa");
        (await _http.PutAsJsonAsync($"{LocalStack.Routing}/customers/{first.CustomerId}/preferred-agents", new[] { agentId })).EnsureSuccessStatusCode();
        (await _http.PostAsync($"{LocalStack.Routing}/conversations/{first.ConversationId}/close", null)).EnsureSuccessStatusCode();
        var second = await SmsAsync(routed, phone, "When will the sofa arrive?");
        Assert.Equal(agentId, second.AgentId);

        var assigned = await WebhookAsync(secret, "conversation.assigned", second.ConversationId);
        var data = assigned.GetProperty("data");
        Assert.Equal("you are the customer's owner", data.GetProperty("routing").GetProperty("summary").GetString());
        Assert.Equal([agentId], data.GetProperty("customer").GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains(data.GetProperty("customer").GetProperty("addresses").EnumerateArray(), a => a.GetProperty("value").GetString() == phone);
        Assert.Contains(data.GetProperty("customer").GetProperty("earlierMessages").EnumerateArray(), m => m.GetProperty("text").GetString() == "Hello, I ordered a sofa");
        Assert.Equal("When will the sofa arrive?", data.GetProperty("messages").EnumerateArray().Last().GetProperty("text").GetString());

        var text = $"Tomorrow morning ({Guid.NewGuid():N})";
        using var reply = await agent.PostAsJsonAsync($"/conversations/{second.ConversationId}/replies", new { text });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);

        var status = await WebhookAsync(secret, "reply.status", second.ConversationId, e => e.GetProperty("data").GetProperty("status").GetString() == "sent");
        var providerId = status.GetProperty("data").GetProperty("providerMessageId").GetString();
        var sent = (await LocalStack.SentAsync(_http)).EnumerateArray().Single(r => r.GetProperty("providerMessageId").GetString() == providerId);
        Assert.Equal(("twilio", text, phone, "+15557654321"), (sent.GetProperty("provider").GetString(), sent.GetProperty("body").GetProperty("Body").GetString(),
            sent.GetProperty("body").GetProperty("To").GetString(), sent.GetProperty("body").GetProperty("From").GetString()));

        Assert.Equal(HttpStatusCode.Accepted, (await agent.PostAsJsonAsync($"/conversations/{second.ConversationId}/close", new { reason = "answered" })).StatusCode);
        var closed = await WebhookAsync(secret, "conversation.closed", second.ConversationId);
        Assert.Equal(agentId, closed.GetProperty("data").GetProperty("closedBy").GetString());
        var conversation = await _http.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{second.ConversationId}");
        Assert.Equal("closed", conversation.GetProperty("status").GetString());
    }

    private async Task<MessageRouted> SmsAsync(EventStream<MessageRouted> routed, string phone, string text)
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        using var request = SampleWebhooks.TwilioSms(LocalStack.Sms, LocalStack.Secrets["Twilio__AuthToken"], sid, phone, "+15557654321", text);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        return await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("sms", sid));
    }

    /// <summary>The tool's first webhook of this type about the conversation, after checking its Standard Webhooks signature.</summary>
    private async Task<JsonElement> WebhookAsync(string secret, string type, Guid conversationId, Func<JsonElement, bool>? also = null)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            foreach (var (id, timestamp, signature, body) in _tool.Requests)
            {
                var payload = JsonDocument.Parse(body).RootElement;
                if (payload.GetProperty("type").GetString() == type && payload.GetProperty("data").ToString().Contains(conversationId.ToString(), StringComparison.Ordinal)
                    && (also is null || also(payload)))
                {
                    Assert.True(WebhookSignature.Verify(secret, id, timestamp, signature, body), $"{type}: the signature does not verify");
                    return payload;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No {type} webhook about {conversationId} reached the agent's tool.");
    }
}
