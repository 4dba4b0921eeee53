using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// The broker users of deploy/rabbitmq/definitions.json on the stack's own RabbitMQ (issue 19): every service is
/// logged in as its own user, and a user cannot touch what is not its own. That the permissions are enough is the
/// rest of this suite, which runs against services logged in that way.
/// </summary>
public sealed class BrokerPermissionTests
{
    private static readonly Uri Broker = new(Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ")
        ?? throw new InvalidOperationException("ROUTING_TEST_RABBITMQ is not set: `make test` starts the test instance's broker"));

    [Fact]
    public async Task Should_run_every_service_as_its_own_broker_user()
    {
        await LocalStack.RequireReadyAsync();
        using var management = Management();

        var connections = await management.GetFromJsonAsync<JsonElement>("api/connections");

        var users = connections.EnumerateArray()
            .Select(c => (Name: c.GetProperty("client_properties").TryGetProperty("connection_name", out var n) ? n.GetString() : null, User: c.GetProperty("user").GetString()))
            .Where(c => c.Name is not null && c.Name.StartsWith("Routing", StringComparison.Ordinal))
            .GroupBy(c => c.Name!).ToDictionary(g => g.Key, g => g.Select(c => c.User).Distinct().ToList());
        var expected = new Dictionary<string, string>
        {
            ["Routing"] = "routing",
            ["Routing.AgentGateway"] = "agent-gateway",
            ["Routing.Adapters.Sms"] = "adapter-sms",
            ["Routing.Adapters.Facebook"] = "adapter-facebook",
            ["Routing.Adapters.WhatsApp"] = "adapter-whatsapp",
            ["Routing.Adapters.Twitter"] = "adapter-twitter",
            ["Routing.Adapters.Email"] = "adapter-email",
        };
        foreach (var (service, user) in expected)
        {
            Assert.True(users.TryGetValue(service, out var seen), $"{service} has no connection to the broker");
            Assert.Equal([user], seen);
        }
    }

    [Theory]
    [InlineData("adapter-sms", "inbound-message-received")] // routing's queue: customers' messages
    [InlineData("adapter-sms", "agent-gateway")]
    [InlineData("adapter-sms", "email-send-channel-message")] // another channel's replies
    [InlineData("adapter-email", "sms-send-channel-message")]
    [InlineData("routing", "sms-send-channel-message")]
    [InlineData("agent-gateway", "inbound-message-received")]
    [InlineData("keda", "inbound-message-received")]
    public async Task Should_refuse_a_user_consuming_a_queue_that_is_not_its_own(string user, string queue)
    {
        await using var connection = await Connect(user);
        await using var channel = await connection.CreateChannelAsync();

        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            channel.BasicConsumeAsync(queue, autoAck: false, new AsyncEventingBasicConsumer(channel)));

        Assert.Equal((ushort)Constants.AccessRefused, refused.ShutdownReason?.ReplyCode);
    }

    [Theory]
    [InlineData("adapter-sms", "Routing.Contracts:ConversationAssigned")] // routing's decisions
    [InlineData("adapter-sms", "email-send-channel-message")] // a reply on another channel
    [InlineData("agent-gateway", "Routing.Contracts:InboundMessageReceived")] // a customer's message, forged
    [InlineData("routing", "Routing.Contracts:AgentAcceptedConversation")]
    [InlineData("keda", "Routing.Contracts:InboundMessageReceived")]
    public async Task Should_refuse_a_user_publishing_what_it_does_not_produce(string user, string exchange)
    {
        await using var connection = await Connect(user);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await channel.BasicPublishAsync(exchange, "", mandatory: false, new BasicProperties(), Encoding.UTF8.GetBytes("{}"));
            // a refusal closes the channel; the next operation reports it whatever the client did with the first
            await channel.BasicQosAsync(0, 1, false);
        });

        Assert.Equal((ushort)Constants.AccessRefused, channel.CloseReason?.ReplyCode);
    }

    [Theory]
    [InlineData("adapter-sms", "Routing.Contracts:ConversationAssigned")]
    [InlineData("keda", "agent-gateway")]
    public async Task Should_refuse_a_user_declaring_what_is_not_its_own(string user, string exchange)
    {
        await using var connection = await Connect(user);
        await using var channel = await connection.CreateChannelAsync();

        // the same declaration its owner makes (harmless if it were let through; deleting would not be)
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true));

        Assert.Equal((ushort)Constants.AccessRefused, refused.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task Should_let_keda_count_a_queue_it_may_not_read()
    {
        await using var connection = await Connect("keda");
        await using var channel = await connection.CreateChannelAsync();

        var queue = await channel.QueueDeclarePassiveAsync("inbound-message-received");

        Assert.Equal("inbound-message-received", queue.QueueName);
    }

    [Fact]
    public async Task Should_refuse_a_service_user_with_another_password()
    {
        var factory = Factory("adapter-sms", "dev-rabbitmq-adapter-email");

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
    }

    /// <summary>Every queue a service of the stack consumes, and so moves what it cannot read to &lt;queue&gt;_error.</summary>
    public static TheoryData<string> WorkQueues => new(
        "inbound-message-received", "agent-accepted-conversation", "agent-declined-conversation", "agent-presence-changed", "close-conversation",
        "agent-gateway", "sms-send-channel-message", "facebook-send-channel-message", "whatsapp-send-channel-message",
        "twitter-send-channel-message", "email-send-channel-message");

    [Theory]
    [MemberData(nameof(WorkQueues))]
    public async Task Should_let_each_service_move_what_it_cannot_read_to_its_error_queue(string queue)
    {
        // the fault path declares, binds and publishes more than the happy path does (the error queue, MassTransit's
        // ReceiveFault exchange): a permission missing there closed the consumer's channel and stranded its queue (make chaos, poison)
        await LocalStack.RequireReadyAsync();
        using var management = Management();
        var before = await MessagesAsync(management, queue + "_error");

        Assert.True(await TestBroker.PublishPoisonAsync(management, queue), $"{queue} does not exist");

        await Eventually.TrueAsync($"both poison messages in {queue}_error", async () => await MessagesAsync(management, queue + "_error") >= before + TestBroker.PoisonPerQueue,
            TimeSpan.FromSeconds(60));
        await LocalStack.RequireReadyAsync();
    }

    private static async Task<long> MessagesAsync(HttpClient management, string queue)
    {
        using var response = await management.GetAsync($"api/queues/%2F/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt64() : 0;
    }

    private static Task<IConnection> Connect(string user) => Factory(user, LocalStack.BrokerPassword(user)).CreateConnectionAsync();

    private static ConnectionFactory Factory(string user, string password) => new()
    {
        HostName = Broker.Host,
        Port = Broker.Port,
        VirtualHost = "/",
        UserName = user,
        Password = password,
        ClientProvidedName = "broker-permission-tests",
        AutomaticRecoveryEnabled = false,
    };

    /// <summary>The management API as the instance's administrator (guest, on loopback only).</summary>
    private static HttpClient Management() => TestBroker.ManagementClient(Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ_MANAGEMENT")
        ?? throw new InvalidOperationException("ROUTING_TEST_RABBITMQ_MANAGEMENT is not set: `make test` starts the test instance's broker"));
}
