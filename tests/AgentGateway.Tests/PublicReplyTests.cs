using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// A customer's public post (a mention on X) in the agent's tools and the answer to it, on a real PostgreSQL and RabbitMQ:
/// the event says it is public and where; a reply follows it into public under that post unless the agent says "private",
/// which answers in a direct message instead; what cannot be public is refused with the field at fault.
/// </summary>
public sealed class PublicReplyTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private const string TweetId = "1991543210987654321";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Commands drained from the adapter's queue so far: a drain takes every command there, not only the one looked for.</summary>
    private readonly List<JsonElement> _commands = [];

    private async Task<JsonElement> CommandAsync(Guid replyId) =>
        await Eventually.ValueAsync("the reply's SendChannelMessage", async () =>
        {
            _commands.AddRange((await gateway.Broker.DrainQueueAsync("twitter-send-channel-message")).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message")));
            return _commands.Select(m => (JsonElement?)m).FirstOrDefault(m => m!.Value.GetProperty("commandId").GetGuid() == replyId);
        });

    /// <summary>An X customer's conversation whose latest message is their public mention of the account.</summary>
    private async Task<(AgentClient Agent, Conversation Conversation)> MentionedAsync()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignedAsync(agent, channel: "twitter", text: "Hello from a DM");
        await gateway.Broker.PublishAsync(conversation.Message("@Harris_0ff my order 1042 never arrived. Is anyone listening?", agent.AgentId, "open") with
        {
            ProviderMessageId = TweetId,
            ThreadKey = TweetId,
            Visibility = MessageVisibility.Public,
            Post = new PublicPost { PostId = TweetId, Permalink = $"https://x.com/furiouscamper/status/{TweetId}", Kind = "mention" },
            ReceivedAt = DateTimeOffset.UtcNow.AddSeconds(1),
        });
        await Eventually.ValueAsync("the mention in the agent's view", async () =>
        {
            var view = await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}");
            return view.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("visibility").GetString() == "public") ? (bool?)true : null;
        });
        return (agent, conversation);
    }

    [Fact]
    public async Task Should_show_the_agent_that_the_message_is_public_and_where_it_was_written()
    {
        var (_, conversation) = await MentionedAsync();

        var received = await Eventually.ValueAsync("the mention's message.received webhook", () => Task.FromResult(gateway.Receiver.Requests
            .Select(r => (JsonElement?)JsonDocument.Parse(r.Body).RootElement)
            .FirstOrDefault(e => e!.Value.GetProperty("type").GetString() == "message.received"
                                 && e.Value.GetProperty("data").GetProperty("conversationId").GetGuid() == conversation.Id)));
        var message = received.GetProperty("data").GetProperty("message");
        Assert.Equal(("public", TweetId, $"https://x.com/furiouscamper/status/{TweetId}"),
            (message.GetProperty("visibility").GetString(), message.GetProperty("post").GetProperty("postId").GetString(),
             message.GetProperty("post").GetProperty("permalink").GetString()));
    }

    [Fact]
    public async Task Should_answer_a_public_mention_in_public_under_it_by_default()
    {
        var (agent, conversation) = await MentionedAsync();

        using var response = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "We are sorry, a colleague is on it." });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await JsonAsync(response);
        Assert.Equal("public", answer.GetProperty("visibility").GetString());
        var command = await CommandAsync(answer.GetProperty("id").GetGuid());
        Assert.Equal(("public", TweetId, "We are sorry, a colleague is on it."),
            (command.GetProperty("visibility").GetString(), command.GetProperty("replyToProviderMessageId").GetString(), command.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Should_answer_privately_when_the_agent_says_private()
    {
        var (agent, conversation) = await MentionedAsync();

        using var prefixed = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "private: Here is your refund: RF-1042." });
        using var field = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "And the tracking: TR-77.", visibility = "private" });

        foreach (var response in new[] { prefixed, field })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var command = await CommandAsync((await JsonAsync(response)).GetProperty("id").GetGuid());
            Assert.Equal(("private", TweetId, JsonValueKind.Null, conversation.Address.Value),
                (command.GetProperty("visibility").GetString(), command.GetProperty("privateReplyTo").GetString(),
                 command.GetProperty("replyToProviderMessageId").ValueKind, command.GetProperty("to").GetProperty("value").GetString()));
            Assert.DoesNotContain("private:", command.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Should_refuse_what_cannot_be_public_with_the_field_at_fault()
    {
        var (agent, conversation) = await MentionedAsync();
        var sms = await gateway.AssignedAsync(agent);

        using var tooLong = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = new string('a', 281) });
        using var unknown = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Hi", visibility = "secret" });
        using var nothingPublic = await agent.Http.PostAsJsonAsync($"/conversations/{sms.Id}/replies", new { text = "Hi", visibility = "public" });

        var tooLongProblem = await JsonAsync(tooLong);
        Assert.Equal((HttpStatusCode.BadRequest, "text"), (tooLong.StatusCode, tooLongProblem.GetProperty("field").GetString()));
        Assert.Contains("at most 280 characters; this one counts 281", tooLongProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "visibility"), (unknown.StatusCode, (await JsonAsync(unknown)).GetProperty("field").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "visibility"), (nothingPublic.StatusCode, (await JsonAsync(nothingPublic)).GetProperty("field").GetString()));
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("twitter-send-channel-message"),
            m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message").GetProperty("conversationId").GetGuid() == conversation.Id);
    }

    /// <summary>
    /// Meta takes one private reply per comment, within 7 days of it: a second one, or one to an older comment, is refused while
    /// the agent writes (400 naming visibility) and goes nowhere; once the first has failed, the private reply can be made again.
    /// </summary>
    [Fact]
    public async Task Should_refuse_a_second_or_late_private_reply_to_a_comment_as_meta_would()
    {
        var agent = await gateway.AgentAsync();
        var conversation = await gateway.AssignedAsync(agent);
        var comment = "1784523_" + Guid.NewGuid().ToString("N")[..12];
        await gateway.Broker.PublishAsync(conversation.Message("Is anyone listening? Order 1042 never came.", agent.AgentId, "open", channel: "facebook") with
        {
            ProviderMessageId = comment, ThreadKey = "1784523_99", Visibility = MessageVisibility.Public,
            Post = new PublicPost { PostId = "1784523_99", Kind = "comment" }, ReceivedAt = DateTimeOffset.UtcNow.AddSeconds(1),
        });
        await gateway.Broker.PublishAsync(conversation.Message("Still nothing, a week later.", agent.AgentId, "open", channel: "instagram") with
        {
            ProviderMessageId = "17895_" + Guid.NewGuid().ToString("N")[..12], ThreadKey = "17895_media", Visibility = MessageVisibility.Public,
            Post = new PublicPost { PostId = "17895_media", Kind = "comment" }, ReceivedAt = DateTimeOffset.UtcNow.AddDays(-8),
        });
        await Eventually.TrueAsync("both comments in the agent's view", async () =>
            (await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}")).GetProperty("messages").EnumerateArray()
            .Count(m => m.GetProperty("visibility").GetString() == "public") == 2);
        Task<HttpResponseMessage> PrivatelyAsync(string channel) =>
            agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "Here is your refund: RF-1042.", channel, visibility = "private" });

        using var first = await PrivatelyAsync("facebook");
        using var second = await PrivatelyAsync("facebook");
        using var late = await PrivatelyAsync("instagram");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var firstId = (await JsonAsync(first)).GetProperty("id").GetGuid();
        var secondProblem = await JsonAsync(second);
        Assert.Equal((HttpStatusCode.BadRequest, "visibility"), (second.StatusCode, secondProblem.GetProperty("field").GetString()));
        Assert.Contains("one private reply per comment or post", secondProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var lateProblem = await JsonAsync(late);
        Assert.Equal((HttpStatusCode.BadRequest, "visibility"), (late.StatusCode, lateProblem.GetProperty("field").GetString()));
        Assert.Contains("within 7 days of the comment or post, and this one was written 8 days ago", lateProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await gateway.Broker.PublishAsync(new OutboundMessageFailed
        {
            CommandId = firstId, ConversationId = conversation.Id, Channel = "facebook", ErrorCode = "outside-window",
            ErrorMessage = "Meta refused the private reply.", Permanent = true, FailedAt = DateTimeOffset.UtcNow,
        });
        await Eventually.TrueAsync("the first private reply failed in the agent's view", async () =>
            (await agent.Http.GetFromJsonAsync<JsonElement>($"/conversations/{conversation.Id}")).GetProperty("messages").EnumerateArray()
            .Any(m => m.GetProperty("id").GetGuid() == firstId && m.GetProperty("status").GetString() == "failed"));
        using var again = await PrivatelyAsync("facebook");

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var againId = (await JsonAsync(again)).GetProperty("id").GetGuid();
        var sent = await Eventually.ValueAsync("the second private reply on the adapter's queue", async () =>
        {
            _commands.AddRange((await gateway.Broker.DrainQueueAsync("facebook-send-channel-message")).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message")));
            var ours = _commands.Where(m => m.GetProperty("conversationId").GetGuid() == conversation.Id).ToList();
            return ours.Any(m => m.GetProperty("commandId").GetGuid() == againId) ? ours : null;
        });
        Assert.Equal([(firstId, comment), (againId, comment)],
            sent.Select(m => (m.GetProperty("commandId").GetGuid(), m.GetProperty("privateReplyTo").GetString())).ToList());
        Assert.DoesNotContain(await gateway.Broker.DrainQueueAsync("instagram-send-channel-message"),
            m => JsonDocument.Parse(m.Body).RootElement.GetProperty("message").GetProperty("conversationId").GetGuid() == conversation.Id);
    }
}
