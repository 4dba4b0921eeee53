using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;

namespace Routing.Chaos;

/// <summary>
/// What an agent's tool received: one webhook (its webhook-id) and the customer messages it carried; or, of type
/// <see cref="Floor.Resync"/>, what the agent read back through the agent API after its tool had been gone.
/// </summary>
public sealed record ToolDelivery(string AgentId, string WebhookId, string Type, Guid ConversationId, IReadOnlyList<string> Tokens);

/// <summary>An agent's answer to a conversation, sent through the agent API with one Idempotency-Key, and repeated.</summary>
public sealed class Reply(string token, string agentId, Guid conversationId, string channel)
{
    public string Token { get; } = token;
    public string AgentId { get; } = agentId;
    public Guid ConversationId { get; } = conversationId;
    public string Channel { get; } = channel;
    public bool Accepted { get; set; }
    public int Requests { get; set; }
    public string LastAnswer { get; set; } = "";
}

/// <summary>How the agents' tools answer the gateway's webhooks.</summary>
public enum ToolBehaviour
{
    Healthy,
    /// <summary>A third of the deliveries answered 500, a tenth after 3 s.</summary>
    Flaky,
}

/// <summary>
/// The agents of a campaign: each available in routing for every channel, with a webhook target at this process's tool
/// and a token for the agent API. Their tool records every delivery; an agent answers each conversation assigned to it
/// (the same reply sent twice with one Idempotency-Key, as a client retrying after a timeout would) and then closes it.
/// Both go on, with the same key, until the gateway accepts them: faults make agents retry, never give up.
/// </summary>
public sealed partial class Floor : IAsyncDisposable
{
    private static readonly TimeSpan ActionPatience = TimeSpan.FromMinutes(3);
    private readonly ChaosStack _stack;
    private readonly string _run;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(10));
    private readonly Dictionary<string, HttpClient> _agentApis = [];
    private readonly Channel<(string AgentId, Guid ConversationId, string Channel)> _assigned = Channel.CreateUnbounded<(string, Guid, string)>();
    private readonly ConcurrentDictionary<(string, Guid), string> _channels = new();
    /// <summary>Conversations whose agent answered and asked to close: a new message in one means the agent answers again.</summary>
    private readonly ConcurrentDictionary<(string, Guid), bool> _closing = new();
    private readonly List<Task> _workers = [];
    private readonly CancellationTokenSource _stop = new();
    private WebApplication _tool = null!;
    private string _toolUrl = "";
    private int _replies;
    private int _busy;

    private Floor(ChaosStack stack, string run)
    {
        _stack = stack;
        _run = run;
    }

    /// <summary>The type of a <see cref="ToolDelivery"/> read through the agent API rather than received.</summary>
    public const string Resync = "resync";

    public IReadOnlyList<string> Agents { get; private set; } = [];

    /// <summary>Agents whose tool answers 410 Gone, as an integration that was uninstalled.</summary>
    public ConcurrentDictionary<string, bool> Gone { get; } = new();
    public ConcurrentQueue<ToolDelivery> Deliveries { get; } = new();
    public ConcurrentBag<Reply> Replies { get; } = [];
    public ToolBehaviour Behaviour { get; set; } = ToolBehaviour.Healthy;

    /// <summary>Conversations assigned and not yet answered and closed by their agent.</summary>
    public bool Idle => _assigned.Reader.Count == 0 && Volatile.Read(ref _busy) == 0;

    public static async Task<Floor> OpenAsync(ChaosStack stack, string run, int agents, int capacity)
    {
        var floor = new Floor(stack, run);
        (floor._tool, floor._toolUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/hooks/{agentId}", floor.ReceiveAsync), quiet: true);
        await floor.HireAsync(agents, capacity);
        for (var i = 0; i < 8; i++)
        {
            floor._workers.Add(Task.Run(floor.WorkAsync));
        }
        return floor;
    }

    /// <summary>Takes every agent this campaign did not hire offline (the instance is the campaign's), then hires its own.</summary>
    private async Task HireAsync(int count, int capacity)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway), Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
        await using (var db = await _stack.RoutingDbAsync())
        {
            await using var offline = new Npgsql.NpgsqlCommand("select id from agents where presence <> 'offline'", db);
            await using var reader = await offline.ExecuteReaderAsync();
            var others = new List<string>();
            while (await reader.ReadAsync())
            {
                others.Add(reader.GetString(0));
            }
            foreach (var other in others)
            {
                (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{other}/presence", new { status = "offline" })).EnsureSuccessStatusCode();
            }
        }
        var agents = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var agentId = $"chaos-{_run}-{i:D2}";
            (await _routing.PostAsJsonAsync($"{LocalStack.Routing}/agents", new
            {
                id = agentId, name = $"Chaos Agent {i}", capacity, channels = Load.Channels, presence = "available",
            })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = $"{_toolUrl}/hooks/{agentId}" })).EnsureSuccessStatusCode();
            var token = (await (await admin.PostAsync($"/admin/agents/{agentId}/tokens", null)).EnsureSuccessStatusCode()
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
            var api = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway), Timeout = TimeSpan.FromSeconds(10) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _agentApis[agentId] = api;
            agents.Add(agentId);
        }
        Agents = agents;
    }

    /// <summary>Sets agents' presence in routing (as a supervisor or the agents themselves would), retrying through faults.</summary>
    public async Task SetPresenceAsync(IEnumerable<string> agents, string status)
    {
        foreach (var agentId in agents)
        {
            await RetryAsync(async () => (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{agentId}/presence", new { status })).StatusCode);
        }
    }

    private async Task<IResult> ReceiveAsync(HttpContext http, string agentId)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        if (Gone.ContainsKey(agentId))
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }
        if (Behaviour == ToolBehaviour.Flaky)
        {
            var roll = Random.Shared.NextDouble();
            if (roll < 0.1)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            if (roll < 0.33)
            {
                return Results.StatusCode(500);
            }
        }
        var payload = JsonDocument.Parse(body.ToArray()).RootElement;
        var type = payload.GetProperty("type").GetString()!;
        var data = payload.GetProperty("data");
        var conversationId = data.TryGetProperty("conversationId", out var id) ? id.GetGuid() : data.GetProperty("conversation").GetProperty("id").GetGuid();
        // The customer's messages the webhook carries: an assignment's own messages (not the customer's earlier ones), or the new message.
        IEnumerable<JsonElement> messages = type switch
        {
            "conversation.assigned" => data.GetProperty("messages").EnumerateArray(),
            "message.received" => [data.GetProperty("message")],
            _ => [],
        };
        var tokens = messages.SelectMany(m => TokenPattern().Matches(m.GetRawText()).Select(t => t.Value)).Distinct().ToList();
        Deliveries.Enqueue(new ToolDelivery(agentId, http.Request.Headers["webhook-id"].ToString(), type, conversationId, tokens));
        if (type == "conversation.assigned" && _channels.TryAdd((agentId, conversationId), data.GetProperty("conversation").GetProperty("channel").GetString() ?? ""))
        {
            _assigned.Writer.TryWrite((agentId, conversationId, _channels[(agentId, conversationId)]));
        }
        else if (type == "message.received" && _closing.TryRemove((agentId, conversationId), out _))
        {
            // the customer wrote again as the agent closed: routing kept it open, the agent answers again
            _assigned.Writer.TryWrite((agentId, conversationId, _channels.GetValueOrDefault((agentId, conversationId), "")));
        }
        return Results.Ok();
    }

    /// <summary>
    /// The agents' integrations are back after answering 410: the gateway disabled their targets and abandoned what was
    /// pending, so each registers a new target (as its operator would) and reads back through the agent API what it
    /// missed: its open conversations and their messages, taking up the ones it never heard of or had asked to close.
    /// </summary>
    public async Task ReconnectAsync(IEnumerable<string> agents)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(LocalStack.Gateway), Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalStack.Secrets["Gateway__AdminToken"]);
        foreach (var agentId in agents)
        {
            await RetryAsync(async () =>
                (await admin.PostAsJsonAsync($"/admin/agents/{agentId}/webhook-targets", new { url = $"{_toolUrl}/hooks/{agentId}" })).StatusCode);
            var api = _agentApis[agentId];
            var open = await api.GetFromJsonAsync<JsonElement>("/me/conversations?status=open&limit=500");
            foreach (var conversation in open.EnumerateArray())
            {
                var conversationId = conversation.GetProperty("id").GetGuid();
                var detail = await api.GetFromJsonAsync<JsonElement>($"/conversations/{conversationId}");
                var tokens = detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("direction").GetString() == "in")
                    .SelectMany(m => TokenPattern().Matches(m.GetRawText()).Select(t => t.Value)).Distinct().ToList();
                Deliveries.Enqueue(new ToolDelivery(agentId, Resync, Resync, conversationId, tokens));
                if (_channels.TryAdd((agentId, conversationId), conversation.GetProperty("channel").GetString() ?? "")
                    || _closing.TryRemove((agentId, conversationId), out _))
                {
                    _assigned.Writer.TryWrite((agentId, conversationId, _channels[(agentId, conversationId)]));
                }
            }
        }
    }

    /// <summary>An agent at work: answers the conversation (twice, one Idempotency-Key), then closes it.</summary>
    private async Task WorkAsync()
    {
        await foreach (var (agentId, conversationId, channel) in _assigned.Reader.ReadAllAsync(_stop.Token))
        {
            Interlocked.Increment(ref _busy);
            try
            {
                var api = _agentApis[agentId];
                // Email replies go out by SMTP, not through the provider sandbox the checker reads: closed unanswered.
                if (channel != "email")
                {
                    var reply = new Reply($"r{_run}y{Interlocked.Increment(ref _replies):D6}", agentId, conversationId, channel);
                    Replies.Add(reply);
                    var key = "chaos-" + reply.Token;
                    var first = SendReplyAsync(api, reply, key);
                    await Task.Delay(Random.Shared.Next(0, 200));
                    await Task.WhenAll(first, SendReplyAsync(api, reply, key));
                }
                _closing[(agentId, conversationId)] = true;
                await RetryAsync(async () =>
                {
                    using var closed = await api.PostAsJsonAsync($"/conversations/{conversationId}/close", new { reason = "answered" });
                    return closed.StatusCode;
                });
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
            }
        }
    }

    private async Task SendReplyAsync(HttpClient api, Reply reply, string key) =>
        await RetryAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{reply.ConversationId}/replies")
            {
                Content = JsonContent.Create(new { text = $"Answer {reply.Token}: it ships tomorrow" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await api.SendAsync(request);
            lock (reply)
            {
                reply.Requests++;
                reply.LastAnswer = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                reply.Accepted |= response.IsSuccessStatusCode;
            }
            // 409 with Retry-After: the first request with this key is still publishing; ask again, as a client would
            return response.StatusCode == HttpStatusCode.Conflict && response.Headers.RetryAfter is not null ? HttpStatusCode.ServiceUnavailable : response.StatusCode;
        });

    /// <summary>
    /// Tries until the gateway gives an answer that is final (success, or a refusal such as 403 for a conversation the
    /// agent lost meanwhile) or patience runs out; 5xx, 408, 429 and requests that fail are tried again, as a client would.
    /// </summary>
    private async Task RetryAsync(Func<Task<HttpStatusCode>> attempt)
    {
        var deadline = DateTime.UtcNow + ActionPatience;
        while (DateTime.UtcNow < deadline && !_stop.IsCancellationRequested)
        {
            try
            {
                var status = (int)await attempt();
                if (status < 500 && status is not 408 and not 429)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _assigned.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            await SetPresenceAsync(Agents, "offline");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
        }
        foreach (var api in _agentApis.Values)
        {
            api.Dispose();
        }
        await _tool.DisposeAsync();
        _http.Dispose();
        _routing.Dispose();
        _stop.Dispose();
    }

    [GeneratedRegex(@"q[0-9]{8}x[0-9]{6}")]
    public static partial Regex TokenPattern();
}
