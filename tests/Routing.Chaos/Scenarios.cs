using System.Net.Http.Json;

namespace Routing.Chaos;

/// <summary>What a fault has to hand: the stack to break, the agents, and a tally of the poison it injected.</summary>
public sealed class FaultContext(ChaosStack stack, Floor floor, Checker checker, CancellationToken ct)
{
    public ChaosStack Stack { get; } = stack;
    public Floor Floor { get; } = floor;
    public Checker Checker { get; } = checker;
    public CancellationToken Cancellation { get; } = ct;

    /// <summary>Malformed messages the fault put on the queues: the error queues must hold exactly these more.</summary>
    public int Poison { get; set; }
}

/// <summary>
/// One fault injected in the middle of the load. <see cref="Break"/> returns once the fault is over (the server or
/// service is back, or the misbehaviour stopped): from then on the campaign times the recovery.
/// </summary>
public sealed record Scenario(string Name, string What, Func<FaultContext, Task> Break)
{
    public bool DuplicateDeliveries { get; init; }

    public static readonly IReadOnlyList<Scenario> All =
    [
        new("baseline", "no fault: the load alone", _ => Task.CompletedTask),
        new("routing-kill", "routing killed (SIGKILL) mid-message, started again 5 s later", c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "routing")),
        new("gateway-kill", "agent gateway killed (SIGKILL) mid-delivery, started again 5 s later", c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "gateway")),
        new("adapters-kill", "every channel adapter killed (SIGKILL), started again 5 s later; providers retry, Twilio does not",
            c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "sms", "facebook", "whatsapp", "twitter", "email")),
        new("broker-kill", "RabbitMQ killed (SIGKILL) for 20 s", c => CrashServerAsync(c, "rabbitmq", kill: true, TimeSpan.FromSeconds(20))),
        new("broker-restart", "RabbitMQ stopped cleanly and started again", c => CrashServerAsync(c, "rabbitmq", kill: false, TimeSpan.Zero)),
        new("postgres-kill", "PostgreSQL killed (SIGKILL) for 5 s, inside the consumers' in-memory retries", c => CrashServerAsync(c, "postgres", kill: true, TimeSpan.FromSeconds(5))),
        new("postgres-kill-long", "PostgreSQL killed (SIGKILL) for 40 s, longer than the in-memory retries", c => CrashServerAsync(c, "postgres", kill: true, TimeSpan.FromSeconds(40))),
        new("postgres-restart", "PostgreSQL stopped cleanly (fast shutdown) and started again, as a switchover does", c => CrashServerAsync(c, "postgres", kill: false, TimeSpan.Zero)),
        new("rolling-restart", "every service in turn stopped with SIGTERM and started again, under load", RollingRestartAsync),
        new("duplicate-webhooks", "every webhook delivered twice at once, as a provider retrying to another replica does", _ => Task.CompletedTask)
        {
            DuplicateDeliveries = true,
        },
        new("poison", "malformed messages (bad JSON, bytes of no format) put on every queue consumers read", PoisonAsync),
        new("agents-offline", "a third of the agents go offline with open conversations for 20 s", AgentsOfflineAsync),
        new("tool-flaky", "agents' tools answer a third of the webhooks with 500, a tenth after 3 s, for 20 s", FlakyToolsAsync),
    ];

    /// <summary>The scenarios make test runs at a small scale.</summary>
    public static readonly IReadOnlyList<string> Smoke = ["postgres-kill-long", "broker-kill", "routing-kill", "gateway-kill"];

    public static Scenario Named(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No scenario '{name}'; there are: {string.Join(", ", All.Select(s => s.Name))}");

    private static async Task CrashServiceAsync(FaultContext c, TimeSpan down, params string[] services)
    {
        foreach (var service in services)
        {
            c.Stack.Signal(service, kill: true);
        }
        await Task.Delay(down, c.Cancellation);
        await c.Stack.StartServicesAsync();
    }

    private static async Task CrashServerAsync(FaultContext c, string server, bool kill, TimeSpan down)
    {
        await c.Stack.StopServerAsync(server, kill);
        await Task.Delay(down, c.Cancellation);
        await c.Stack.StartServersAsync();
    }

    private static async Task RollingRestartAsync(FaultContext c)
    {
        foreach (var service in ChaosStack.Services)
        {
            c.Stack.Signal(service, kill: false);
            await c.Stack.StartServicesAsync();
        }
    }

    private static async Task PoisonAsync(FaultContext c)
    {
        using var management = ChaosStack.Management();
        foreach (var queue in await c.Checker.WorkQueuesAsync(c.Cancellation))
        {
            foreach (var (contentType, payload) in new[] { ("application/vnd.masstransit+json", "{\"message\": {\"not\": "), ("application/octet-stream", "\u0001\u0002 no format at all") })
            {
                using var published = await management.PostAsJsonAsync("/api/exchanges/%2F/amq.default/publish", new
                {
                    properties = new { content_type = contentType, message_id = Guid.NewGuid().ToString() },
                    routing_key = queue,
                    payload,
                    payload_encoding = "string",
                }, c.Cancellation);
                published.EnsureSuccessStatusCode();
                c.Poison++;
            }
        }
    }

    private static async Task AgentsOfflineAsync(FaultContext c)
    {
        var away = c.Floor.Agents.Take(Math.Max(1, c.Floor.Agents.Count / 3)).ToList();
        await c.Floor.SetPresenceAsync(away, "offline");
        await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        await c.Floor.SetPresenceAsync(away, "available");
    }

    private static async Task FlakyToolsAsync(FaultContext c)
    {
        c.Floor.Behaviour = ToolBehaviour.Flaky;
        await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        c.Floor.Behaviour = ToolBehaviour.Healthy;
    }
}
