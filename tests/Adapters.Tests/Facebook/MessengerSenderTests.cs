using Adapters.Tests.Meta;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Facebook;

/// <summary>The Messenger sender with its real resilience pipeline, against a local imitation of the Send API.</summary>
public sealed class MessengerSenderTests : IAsyncLifetime
{
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await GraphApiImitation.StartAsync(GraphApiImitation.MessengerSent("m_default"));
        _services = Build(humanAgentTag: true, attemptTimeout: TimeSpan.FromSeconds(10));
    }

    private ServiceProvider Build(bool humanAgentTag, TimeSpan attemptTimeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Facebook:AppSecret"] = MessengerCases.AppSecret,
            ["Facebook:VerifyToken"] = "unused",
            [$"Facebook:PageAccessTokens:{MessengerCases.Page}"] = "dev-page-token",
            ["Facebook:HumanAgentTag"] = humanAgentTag ? "true" : "false",
            ["Facebook:GraphApiBaseUrl"] = _api.BaseUrl,
            ["Outbound:AttemptTimeout"] = attemptTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        return SenderServices.Build<MessengerSender>(settings, s => s.AddOptions<MessengerOptions>().BindConfiguration(MessengerOptions.Section));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_a_response_as_the_page_the_customer_wrote_to()
    {
        _api.Then(GraphApiImitation.MessengerSent("m_sent1"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("m_sent1", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal(($"/v23.0/{MessengerCases.Page}/messages", "Bearer dev-page-token"), (request.Path, request.Authorization));
        var json = request.Json;
        Assert.Equal(MessengerCases.Psid, json.GetProperty("recipient").GetProperty("id").GetString());
        Assert.Equal("RESPONSE", json.GetProperty("messaging_type").GetString());
        Assert.False(json.TryGetProperty("tag", out _));
        Assert.Equal("Your order ships tomorrow.", json.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_send_the_text_then_each_file_as_an_attachment_by_url()
    {
        _api.Then(GraphApiImitation.MessengerSent("m_text"), GraphApiImitation.MessengerSent("m_photo"), GraphApiImitation.MessengerSent("m_pdf"));
        var photo = new MessageAttachment { ContentType = "image/png", Url = "https://gateway.example.com/attachments/1/open?s=1", SizeBytes = 1000 };
        var pdf = new MessageAttachment { ContentType = "application/pdf", Url = "https://gateway.example.com/attachments/2/open?s=2", SizeBytes = 1000 };

        var outcome = await Sender.SendAsync(Command() with { Attachments = [photo, pdf] }, CancellationToken.None);

        Assert.Equal("m_pdf", outcome.ProviderMessageId);
        var messages = _api.Requests.Select(r => r.Json.GetProperty("message")).ToList();
        Assert.Equal("Your order ships tomorrow.", messages[0].GetProperty("text").GetString());
        Assert.Equal([("image", photo.Url), ("file", pdf.Url)], messages.Skip(1).Select(m => m.GetProperty("attachment"))
            .Select(a => (a.GetProperty("type").GetString(), a.GetProperty("payload").GetProperty("url").GetString())));
    }

    [Fact]
    public async Task Should_send_every_part_with_the_human_agent_tag_once_meta_refuses_the_first_for_the_window()
    {
        _api.Then(GraphApiImitation.Error(400, 10, "outside the allowed window", subcode: 2018278), GraphApiImitation.MessengerSent("m_t1"),
            GraphApiImitation.MessengerSent("m_t2"));
        var photo = new MessageAttachment { ContentType = "image/png", Url = "https://gateway.example.com/attachments/1/open?s=1", SizeBytes = 1000 };

        var outcome = await Sender.SendAsync(Command() with { Attachments = [photo], CustomerLastMessageAt = null }, CancellationToken.None);

        Assert.Equal("m_t2", outcome.ProviderMessageId);
        Assert.Equal(["RESPONSE", "MESSAGE_TAG", "MESSAGE_TAG"], _api.Requests.Select(r => r.Json.GetProperty("messaging_type").GetString()));
    }

    [Fact]
    public async Task Should_use_the_human_agent_tag_past_24_hours()
    {
        var outcome = await Sender.SendAsync(Command() with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddDays(-3) }, CancellationToken.None);

        Assert.Equal("m_default", outcome.ProviderMessageId);
        var json = Assert.Single(_api.Requests).Json;
        Assert.Equal(("MESSAGE_TAG", "HUMAN_AGENT"), (json.GetProperty("messaging_type").GetString(), json.GetProperty("tag").GetString()));
    }

    [Fact]
    public async Task Should_retry_with_the_tag_when_meta_says_the_window_has_closed()
    {
        _api.Then(GraphApiImitation.Error(400, 10, "(#10) This message is sent outside of allowed window.", subcode: 2018278), GraphApiImitation.MessengerSent("m_tagged"));

        var outcome = await Sender.SendAsync(Command() with { CustomerLastMessageAt = null }, CancellationToken.None);

        Assert.Equal("m_tagged", outcome.ProviderMessageId);
        Assert.Equal(["RESPONSE", "MESSAGE_TAG"], _api.Requests.Select(r => r.Json.GetProperty("messaging_type").GetString()));
    }

    [Fact]
    public async Task Should_fail_permanently_outside_the_window_without_the_tag_or_past_7_days()
    {
        await using var untagged = Build(humanAgentTag: false, attemptTimeout: TimeSpan.FromSeconds(10));

        var withoutTag = await untagged.GetRequiredService<IChannelSender>().SendAsync(Command() with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddDays(-2) }, CancellationToken.None);
        var pastSevenDays = await Sender.SendAsync(Command() with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddDays(-8) }, CancellationToken.None);

        Assert.Equal(("outside-window", true), (withoutTag.ErrorCode, withoutTag.Permanent));
        Assert.Equal(("outside-window", true), (pastSevenDays.ErrorCode, pastSevenDays.Permanent));
        Assert.Empty(_api.Requests);
    }

    [Theory]
    [InlineData(400, 1200, false)] // temporary send failure
    [InlineData(400, 613, false)]  // calls per hour exceeded
    [InlineData(400, 551, true)]   // this person isn't available right now
    [InlineData(400, 190, true)]   // invalid page token
    public async Task Should_map_send_api_error_codes(int status, int code, bool permanent)
    {
        _api.Then(GraphApiImitation.Error(status, code, "refused"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code.ToString(System.Globalization.CultureInfo.InvariantCulture), permanent), (outcome.ErrorCode, outcome.Permanent));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_honour_retry_after_then_succeed()
    {
        _api.Then(GraphApiImitation.Error(429, 32, "Page request limit reached", retryAfter: "1"), GraphApiImitation.Error(503, 2, "Service temporarily unavailable"),
            GraphApiImitation.MessengerSent("m_after"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("m_after", outcome.ProviderMessageId);
        Assert.Equal(3, _api.Requests.Count);
    }

    [Fact]
    public async Task Should_time_out_a_hanging_send_api_without_sending_again()
    {
        _api.Then(ProviderApiImitation.Hang());
        await using var shortAttempts = Build(humanAgentTag: true, attemptTimeout: TimeSpan.FromSeconds(1));

        // Meta may have the message: the consumer reports the outcome unknown rather than sending it again.
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => shortAttempts.GetRequiredService<IChannelSender>().SendAsync(Command(), CancellationToken.None));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_refuse_a_page_it_has_no_token_for()
    {
        var outcome = await Sender.SendAsync(Command() with { ChannelAccount = "999" }, CancellationToken.None);

        Assert.Equal(("not-configured", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Should_answer_a_comment_in_public_with_a_comment_reply_as_the_page()
    {
        _api.Then(GraphApiImitation.Commented("838212218440829_1150337000000001"));

        var outcome = await Sender.SendAsync(Command() with
        {
            To = new CustomerAddress { Kind = "facebook-user", Value = "3587261794680021" },
            Visibility = MessageVisibility.Public,
            ReplyToProviderMessageId = "838212218440829_1150336279598617",
            Text = "We are on it, Paolo: check your Messenger.",
        }, CancellationToken.None);

        Assert.Equal("838212218440829_1150337000000001", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal(("/v23.0/838212218440829_1150336279598617/comments", "Bearer dev-page-token"), (request.Path, request.Authorization));
        Assert.Equal("We are on it, Paolo: check your Messenger.", request.Json.GetProperty("message").GetString());
    }

    /// <summary>
    /// Meta's private reply: one message to the comment's author (recipient comment_id, or post_id for a visitor's post),
    /// whose answer names their Messenger id; it is what joins the commenter to their Messenger conversation.
    /// </summary>
    [Fact]
    public async Task Should_send_a_private_reply_to_the_comment_and_learn_the_authors_messenger_id()
    {
        _api.Then(GraphApiImitation.MessengerSent("m_private"), GraphApiImitation.MessengerSent("m_post"));
        var commenter = new CustomerAddress { Kind = "facebook-user", Value = "3587261794680021", DisplayName = "Paolo Conti" };
        var post = $"{MessengerCases.Page}_838212218440829";

        var toComment = await Sender.SendAsync(Command() with
        {
            To = commenter, PrivateReplyTo = "838212218440829_1150336279598617", ThreadKey = post, CustomerLastMessageAt = null,
        }, CancellationToken.None);
        var toPost = await Sender.SendAsync(Command() with { To = commenter, PrivateReplyTo = post, ThreadKey = post, CustomerLastMessageAt = null }, CancellationToken.None);

        Assert.Equal(("m_private", "facebook", MessengerCases.Psid), (toComment.ProviderMessageId, toComment.Recipient?.Kind, toComment.Recipient?.Value));
        Assert.Equal("m_post", toPost.ProviderMessageId);
        var requests = _api.Requests.ToList();
        Assert.All(requests, r => Assert.Equal($"/v23.0/{MessengerCases.Page}/messages", r.Path));
        Assert.Equal("838212218440829_1150336279598617", requests[0].Json.GetProperty("recipient").GetProperty("comment_id").GetString());
        Assert.Equal(post, requests[1].Json.GetProperty("recipient").GetProperty("post_id").GetString());
        Assert.Equal("RESPONSE", requests[0].Json.GetProperty("messaging_type").GetString());
    }

    [Fact]
    public async Task Should_fail_a_private_reply_meta_refuses_for_its_limits_without_a_tagged_retry()
    {
        _api.Then(GraphApiImitation.Error(400, 10, "(#10) This message is sent outside of allowed window.", subcode: 2018278));

        var outcome = await Sender.SendAsync(Command() with { PrivateReplyTo = "838212218440829_1150336279598617" }, CancellationToken.None);
        var files = await Sender.SendAsync(Command() with
        {
            PrivateReplyTo = "838212218440829_1150336279598617",
            Attachments = [new MessageAttachment { ContentType = "image/png", Url = "https://gateway.example.com/attachments/1/open?s=1" }],
        }, CancellationToken.None);

        Assert.Equal(("outside-window", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Contains("one per comment or post, within 7 days", outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(("private-reply-files", true), (files.ErrorCode, files.Permanent));
        Assert.Single(_api.Requests); // neither a tagged second try nor a request for the files
    }

    private static SendChannelMessage Command() => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "facebook",
        ChannelAccount = MessengerCases.Page,
        To = new CustomerAddress { Kind = "facebook", Value = MessengerCases.Psid },
        Text = "Your order ships tomorrow.",
        CustomerLastMessageAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
