using Routing.Samples;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// Through the running local stack: a signed webhook to each adapter becomes a routed conversation that
/// the routing API shows, one delivery repeated to two adapter replicas has one effect, and an agent's
/// SendChannelMessage reaches the provider sandbox as the provider's API expects it.
/// </summary>
public sealed class ChannelStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _http.Dispose();
        _routing.Dispose();
    }

    public static TheoryData<string> Channels => new("sms", "whatsapp", "facebook", "twitter", "email", "telegram", "instagram");

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task Should_route_a_signed_webhook_once_into_a_conversation_the_api_shows(string channel)
    {
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var (request, messageId, kind, value) = CustomerWebhooks.For(channel, Unique(), "Where is my parcel?");
        // The provider will deliver it again (its retry after a lost answer): the same bytes, the same signature.
        using var again = Copy(request, await request.Content!.ReadAsByteArrayAsync());

        using (request)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
        }
        var message = await routed.WaitForAsync(m => m.MessageId == messageId);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(again)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(routed.Messages, m => m.MessageId == messageId);

        var conversation = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{message.ConversationId}");
        var customer = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/customers/lookup?kind={kind}&value={Uri.EscapeDataString(value)}");
        Assert.Equal(channel, conversation.GetProperty("channel").GetString());
        Assert.Equal(message.CustomerId, conversation.GetProperty("customerId").GetGuid());
        Assert.Equal(message.CustomerId, customer.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Should_have_one_effect_when_one_delivery_reaches_two_replicas_several_times()
    {
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        // A replica of the stack's: its broker, and its sandbox for any reply it happens to take from the queue.
        var replicaUrl = $"http://127.0.0.1:{AdapterProcess.FreePort()}";
        using var replica = AdapterProcess.Start("Sms", "Routing.Adapters.Sms", new Uri(replicaUrl).Port, LocalStack.Sms, _broker.Url,
            new Dictionary<string, string> { ["Twilio__ApiBaseUrl"] = LocalStack.Sandbox });
        try
        {
            await AdapterHttp.WaitReadyAsync(_http, replicaUrl);
            var sid = "SM" + Guid.NewGuid().ToString("N");
            var from = Unique();
            var secret = LocalStack.Secrets["Twilio__AuthToken"];

            // The provider retries while the first answer is in flight: three times to one replica, twice to the other.
            var deliveries = Enumerable.Range(0, 5).Select(async i =>
            {
                using var request = SampleWebhooks.TwilioSms(LocalStack.Sms, secret, sid, from, "+15557654321", "Is it in stock?");
                if (i % 2 == 1)
                {
                    request.RequestUri = new Uri(replicaUrl + "/webhooks/sms/twilio");
                }
                return (await _http.SendAsync(request)).StatusCode;
            });
            Assert.All(await Task.WhenAll(deliveries), status => Assert.Equal(HttpStatusCode.OK, status));

            var id = MessageIds.ForInbound("sms", sid);
            var first = await routed.WaitForAsync(m => m.MessageId == id);
            // A later message from the same customer is routed after the copies were; still only one of them counts.
            var nextSid = "SM" + Guid.NewGuid().ToString("N");
            using (var next = SampleWebhooks.TwilioSms(LocalStack.Sms, secret, nextSid, from, "+15557654321", "Hello?"))
            {
                (await _http.SendAsync(next)).EnsureSuccessStatusCode();
            }
            var second = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("sms", nextSid));
            await Task.Delay(TimeSpan.FromSeconds(1));

            Assert.Single(routed.Messages, m => m.MessageId == id);
            Assert.Equal(first.ConversationId, second.ConversationId);
            var conversations = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations?customerId={first.CustomerId}");
            Assert.Equal(1, conversations.GetArrayLength());
        }
        finally
        {
            replica.Kill(entireProcessTree: true);
            await replica.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("sms", "+447700900123", "+15557654321", "twilio")]
    [InlineData("whatsapp", "+447700900123", "+15550783881", "whatsapp")]
    [InlineData("facebook", "1254459154682919", "1353269864728879", "facebook")]
    [InlineData("twitter", "3001969357", "4337869213", "twitter")]
    [InlineData("telegram", "5093718244", "7264815330", "telegram")]
    [InlineData("instagram", "6970231626340297", "17841405309211844", "instagram")]
    public async Task Should_send_an_agents_reply_through_the_adapter_to_the_provider_api(string channel, string to, string account, string provider)
    {
        await using var sent = await _broker.ObserveAsync<OutboundMessageSent>();
        var command = new SendChannelMessage
        {
            CommandId = Guid.NewGuid(),
            ConversationId = Guid.NewGuid(),
            AgentId = "anna",
            Channel = channel,
            ChannelAccount = account,
            To = new CustomerAddress { Kind = channel is "sms" or "whatsapp" ? "phone" : channel, Value = to },
            Text = $"Reply {Guid.NewGuid():N}",
            CustomerLastMessageAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            RequestedAt = DateTimeOffset.UtcNow,
        };

        await _broker.SendAsync($"{channel}-send-channel-message", command);
        var outcome = await sent.WaitForAsync(s => s.CommandId == command.CommandId);

        var request = (await LocalStack.SentAsync(_http)).EnumerateArray().Single(r => r.GetProperty("providerMessageId").GetString() == outcome.ProviderMessageId);
        Assert.Equal(provider, request.GetProperty("provider").GetString());
        var body = request.GetProperty("body");
        var (text, recipient) = provider switch
        {
            "twilio" => (body.GetProperty("Body").GetString(), body.GetProperty("To").GetString()),
            "whatsapp" => (body.GetProperty("text").GetProperty("body").GetString(), "+" + body.GetProperty("to").GetString()),
            "twitter" => (body.GetProperty("text").GetString(), request.GetProperty("path").GetString()!.Split('/')[4]),
            "telegram" => (body.GetProperty("text").GetString(), body.GetProperty("chat_id").GetString()),
            _ => (body.GetProperty("message").GetProperty("text").GetString(), body.GetProperty("recipient").GetProperty("id").GetString()),
        };
        Assert.Equal((command.Text, to), (text, recipient));
    }

    /// <summary>Mail to the support mailbox through the local Postfix: the stack's email adapter reads it over IMAP.</summary>
    [Fact]
    public async Task Should_route_mail_read_from_the_support_mailbox()
    {
        await using var routed = await _broker.ObserveAsync<MessageRouted>();
        var messageId = $"imap-e2e-{Guid.NewGuid():N}@example.net";
        var from = MailServers.NewMailbox("customer", "example.net");

        await MailServers.DeliverAsync(from, LocalStack.SupportMailbox, System.Text.Encoding.UTF8.GetBytes(
            $"From: Mail Customer <{from}>\r\nTo: {LocalStack.SupportMailbox}\r\nSubject: Where is my parcel?\r\nMessage-ID: <{messageId}>\r\n\r\nIt has not arrived.\r\n"));
        var message = await routed.WaitForAsync(m => m.MessageId == MessageIds.ForInbound("email", messageId));

        var customer = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/customers/lookup?kind=email&value={Uri.EscapeDataString(from)}");
        Assert.Equal(message.CustomerId, customer.GetProperty("id").GetGuid());
    }

    /// <summary>An agent's email reply goes through the local Postfix into the customer's mailbox, threaded.</summary>
    [Fact]
    public async Task Should_send_an_agents_email_reply_into_the_customers_mailbox()
    {
        await using var sent = await _broker.ObserveAsync<OutboundMessageSent>();
        var customer = MailServers.NewMailbox("customer", "example.net");
        var command = new SendChannelMessage
        {
            CommandId = Guid.NewGuid(), ConversationId = Guid.NewGuid(), AgentId = "anna", Channel = "email",
            ChannelAccount = LocalStack.SupportMailbox, To = new CustomerAddress { Kind = "email", Value = customer },
            Subject = "Where is my parcel?", ReplyToProviderMessageId = "question-1@example.net", ThreadKey = "question-1@example.net",
            Text = $"Reply {Guid.NewGuid():N}", RequestedAt = DateTimeOffset.UtcNow,
        };

        await _broker.SendAsync("email-send-channel-message", command);
        var outcome = await sent.WaitForAsync(s => s.CommandId == command.CommandId);

        var received = Assert.Single(await MailServers.WaitForAsync(customer, "INBOX", s => s.Count == 1));
        Assert.Equal((outcome.ProviderMessageId, "question-1@example.net", "Re: Where is my parcel?"),
            (received.Envelope!.MessageId, received.Envelope.InReplyTo, received.Envelope.Subject));
    }

    /// <summary>The same delivery again: same URL, headers and body bytes.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage original, byte[] body)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Content = new ByteArrayContent(body) };
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        foreach (var header in original.Content!.Headers)
        {
            copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }

    /// <summary>A new customer: a random UK mobile number (+44 7700 xxxxxx).</summary>
    private static string Unique() => "+447700" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
