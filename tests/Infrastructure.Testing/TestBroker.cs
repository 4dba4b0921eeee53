using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.Testing;

/// <summary>
/// A RabbitMQ virtual host of its own for one test class, and a plain AMQP client on it: publishes
/// the way any MassTransit producer does (or raw bytes), watches exchanges, reads _error queues.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _management;
    private readonly string _vhost;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private bool _owned = true;

    private TestBroker(HttpClient management, string vhost, string url, IConnection connection, IChannel channel)
    {
        _management = management;
        _vhost = vhost;
        Url = url;
        _connection = connection;
        _channel = channel;
    }

    /// <summary>amqp URL of this test's virtual host.</summary>
    public string Url { get; }

    public string VirtualHost => _vhost;

    public static async Task<TestBroker> CreateAsync()
    {
        var (amqp, managementUrl) = await TestInfrastructure.RabbitMqAsync();
        var management = ManagementClient(managementUrl);
        var vhost = "test-" + Guid.NewGuid().ToString("N")[..12];
        (await management.PutAsync($"api/vhosts/{vhost}", JsonContent.Create(new { }))).EnsureSuccessStatusCode();
        var user = new Uri(amqp).UserInfo.Split(':')[0];
        (await management.PutAsync($"api/permissions/{vhost}/{user}", JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }))).EnsureSuccessStatusCode();
        var url = amqp.TrimEnd('/') + "/" + vhost;
        var connection = await new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = OwnConnectionName }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return new TestBroker(management, vhost, url, connection, channel);
    }

    /// <summary>
    /// The broker's default virtual host, where the local stack (make up) runs: for end-to-end tests that
    /// watch the running services. Nothing is created there but this client's temporary queues.
    /// </summary>
    public static async Task<TestBroker> AttachToStackAsync()
    {
        var (amqp, managementUrl) = await TestInfrastructure.RabbitMqAsync();
        var connection = await new ConnectionFactory { Uri = new Uri(amqp) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return new TestBroker(ManagementClient(managementUrl), "/", amqp, connection, channel) { _owned = false };
    }

    /// <summary>MassTransit's exchange for a message type: "Namespace:TypeName", fanout, durable.</summary>
    public static string ExchangeFor<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}";

    /// <summary>Publishes in MassTransit's JSON envelope, with a publisher confirm.</summary>
    public Task PublishAsync<T>(T message, Guid? messageId = null) where T : class =>
        PublishRawAsync(ExchangeFor<T>(), Envelope(message, messageId), "application/vnd.masstransit+json");

    /// <summary>Sends to one endpoint's queue (through the exchange MassTransit names after it), as a command is sent.</summary>
    public Task SendAsync<T>(string queue, T message) where T : class =>
        PublishRawAsync(queue, Envelope(message, null), "application/vnd.masstransit+json");

    private static byte[] Envelope<T>(T message, Guid? messageId) where T : class =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = messageId ?? Guid.NewGuid(),
            messageType = new[] { $"urn:message:{typeof(T).Namespace}:{typeof(T).Name}" },
            message,
            sentTime = DateTimeOffset.UtcNow,
            headers = new Dictionary<string, object>(),
        }, Json);

    /// <summary>Publishes many messages as fast as the broker confirms them: the exchange declared once, up to 256 publishes awaiting confirms at a time.</summary>
    public async Task PublishManyAsync<T>(IReadOnlyList<T> messages) where T : class
    {
        await _channel.ExchangeDeclareAsync(ExchangeFor<T>(), ExchangeType.Fanout, durable: true);
        foreach (var chunk in messages.Chunk(256))
        {
            await Task.WhenAll(chunk.Select(async m =>
            {
                var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString() };
                await _channel.BasicPublishAsync(ExchangeFor<T>(), "", mandatory: false, properties, Envelope(m, null));
            }));
        }
    }

    public async Task PublishRawAsync(string exchange, byte[] body, string contentType)
    {
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        var properties = new BasicProperties { ContentType = contentType, Persistent = true, MessageId = Guid.NewGuid().ToString() };
        await _channel.BasicPublishAsync(exchange, "", mandatory: false, properties, body);
    }

    /// <summary>Collects every message published to T's exchange from now on (message body of the envelope).</summary>
    public async Task<EventStream<T>> ObserveAsync<T>() where T : class
    {
        var channel = await _connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(ExchangeFor<T>(), ExchangeType.Fanout, durable: true);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, ExchangeFor<T>(), "");
        var stream = new EventStream<T>(channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var document = JsonDocument.Parse(delivery.Body);
            var message = document.RootElement.GetProperty("message").Deserialize<T>(Json)!;
            var id = document.RootElement.TryGetProperty("messageId", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            stream.Add(message, id);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return stream;
    }

    /// <summary>Takes every message waiting in a queue (an endpoint's _error queue, say), with its headers as strings.</summary>
    public async Task<IReadOnlyList<(string Body, IReadOnlyDictionary<string, string> Headers)>> DrainQueueAsync(string queue)
    {
        var messages = new List<(string, IReadOnlyDictionary<string, string>)>();
        await using var channel = await _connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return messages; // not declared yet: nothing has been moved there so far
        }
        await using var reader = await _connection.CreateChannelAsync();
        while (await reader.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            var headers = (result.BasicProperties.Headers ?? new Dictionary<string, object?>())
                .ToDictionary(h => h.Key, h => h.Value switch { byte[] b => Encoding.UTF8.GetString(b), null => "", var v => v.ToString() ?? "" });
            messages.Add((Encoding.UTF8.GetString(result.Body.Span), headers));
        }
        return messages;
    }

    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>The shovels defined on this virtual host (their parameters).</summary>
    public async Task<JsonElement> ShovelsAsync() =>
        await _management.GetFromJsonAsync<JsonElement>($"api/parameters/shovel/{Uri.EscapeDataString(_vhost)}");

    /// <summary>The management API's view of a queue of this virtual host (type, arguments, counts).</summary>
    private const string OwnConnectionName = "routing-test-broker";

    /// <summary>
    /// Waits until <paramref name="queue"/> exists with a consumer, asked over AMQP (the management API's statistics lag
    /// by seconds): a message sent before a service bound its queue would reach nothing.
    /// </summary>
    public async Task WaitForConsumerAsync(string queue)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            // a passive declare of a missing queue closes its channel: a channel of its own each time
            await using var channel = await _connection.CreateChannelAsync(cancellationToken: timeout.Token);
            try
            {
                if ((await channel.QueueDeclarePassiveAsync(queue, timeout.Token)).ConsumerCount > 0)
                {
                    return;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // not declared yet
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>
    /// Closes, on the broker's side, every connection to this virtual host but this client's own: what the services see
    /// when the broker goes away under them (their in-flight deliveries go back to the queue), without stopping it.
    /// </summary>
    public async Task<int> CloseServiceConnectionsAsync()
    {
        var connections = await _management.GetFromJsonAsync<JsonElement>($"api/vhosts/{_vhost}/connections");
        var closed = 0;
        foreach (var connection in connections.EnumerateArray())
        {
            if (connection.TryGetProperty("user_provided_name", out var name) && name.GetString() == OwnConnectionName)
            {
                continue;
            }
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}");
            request.Headers.Add("X-Reason", "a test closes the services' connections");
            (await _management.SendAsync(request)).EnsureSuccessStatusCode();
            closed++;
        }
        return closed;
    }

    public async Task<JsonElement> QueueInfoAsync(string queue) =>
        await _management.GetFromJsonAsync<JsonElement>($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}");

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
        if (_owned)
        {
            await _management.DeleteAsync($"api/vhosts/{_vhost}");
        }
        _management.Dispose();
    }

    /// <summary>
    /// Two messages no consumer can read (MassTransit's content type with broken JSON, and bytes of no format) put straight
    /// on <paramref name="queue"/> through the default exchange; false when the queue does not exist (nothing was routed).
    /// </summary>
    public static async Task<bool> PublishPoisonAsync(HttpClient management, string queue, CancellationToken ct = default)
    {
        var routed = true;
        foreach (var (contentType, payload) in new[] { ("application/vnd.masstransit+json", "{\"message\": {\"not\": "), ("application/octet-stream", "\u0001\u0002 no format at all") })
        {
            using var published = await management.PostAsJsonAsync("api/exchanges/%2F/amq.default/publish", new
            {
                properties = new { content_type = contentType, message_id = Guid.NewGuid().ToString() },
                routing_key = queue,
                payload,
                payload_encoding = "string",
            }, ct);
            published.EnsureSuccessStatusCode();
            routed &= (await published.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("routed").GetBoolean();
        }
        return routed;
    }

    /// <summary>The number of poison messages <see cref="PublishPoisonAsync"/> puts on a queue.</summary>
    public const int PoisonPerQueue = 2;

    /// <summary>A client of RabbitMQ's management API at <paramref name="url"/> (http://user:password@host:port/), with the URL's credentials.</summary>
    public static HttpClient ManagementClient(string url)
    {
        var uri = new Uri(url);
        var client = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        return client;
    }
}

/// <summary>Messages seen on an exchange, and a way to wait for the ones a test expects.</summary>
public sealed class EventStream<T>(IChannel channel) : IAsyncDisposable where T : class
{
    private readonly ConcurrentQueue<(T Message, string? MessageId)> _seen = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyList<T> Messages => _seen.Select(s => s.Message).ToList();

    public IReadOnlyList<string?> MessageIds => _seen.Select(s => s.MessageId).ToList();

    internal void Add(T message, string? messageId)
    {
        _seen.Enqueue((message, messageId));
        _arrived.Release();
    }

    /// <summary>Waits until a message matching <paramref name="predicate"/> has been seen; fails the test after the timeout.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.Patience);
        while (true)
        {
            var found = _seen.FirstOrDefault(s => predicate(s.Message));
            if (found.Message is not null)
            {
                return found.Message;
            }
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {typeof(T).Name} matching the expectation arrived; saw {_seen.Count}: " +
                    string.Join(" | ", _seen.Select(s => JsonSerializer.Serialize(s.Message)).Take(10)));
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> messages have been seen.</summary>
    public async Task<IReadOnlyList<T>> WaitForCountAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.Patience);
        while (_seen.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} {typeof(T).Name}, saw {_seen.Count}.");
            }
        }
        return Messages;
    }

    public async ValueTask DisposeAsync() => await channel.DisposeAsync();
}
