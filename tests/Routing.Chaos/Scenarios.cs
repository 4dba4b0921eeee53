using System.Net.Http.Json;
using Npgsql;
using Routing.Testing;

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

    /// <summary>A proxy the scenario put between a service and a server, to partition them.</summary>
    public TcpProxy? Proxy { get; set; }
}

/// <summary>
/// One fault injected in the middle of the load. <see cref="Break"/> returns once the fault is over (the server or
/// service is back, or the misbehaviour stopped): from then on the campaign times the recovery.
/// </summary>
public sealed record Scenario(string Name, string What, Func<FaultContext, Task> Break)
{
    public bool DuplicateDeliveries { get; init; }

    /// <summary>Email arrives by SMTP into the support mailbox, read over IMAP, instead of by Mailgun's webhook.</summary>
    public bool ByMail { get; init; }

    /// <summary>Each agent's capacity, when the scenario needs slots to be scarce; otherwise the campaign's.</summary>
    public int? Capacity { get; init; }

    /// <summary>Run before the load starts (e.g. a service restarted behind a proxy), and after the verdict to undo it.</summary>
    public Func<FaultContext, Task>? Prepare { get; init; }

    public Func<FaultContext, Task>? Cleanup { get; init; }

    public static readonly IReadOnlyList<Scenario> All =
    [
        new("baseline", "no fault: the load alone", _ => Task.CompletedTask),
        new("routing-kill", "routing killed (SIGKILL) mid-message, started again 5 s later", c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "routing")),
        new("gateway-kill", "agent gateway killed (SIGKILL) mid-delivery, started again 5 s later", c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "gateway")),
        new("adapters-kill", "every channel adapter killed (SIGKILL), started again 5 s later; providers retry, Twilio does not",
            c => CrashServiceAsync(c, TimeSpan.FromSeconds(5), "sms", "facebook", "whatsapp", "twitter", "email", "telegram", "instagram")),
        new("broker-kill", "RabbitMQ killed (SIGKILL) for 20 s", c => CrashServerAsync(c, "rabbitmq", kill: true, TimeSpan.FromSeconds(20))),
        new("broker-restart", "RabbitMQ stopped cleanly and started again", c => CrashServerAsync(c, "rabbitmq", kill: false, TimeSpan.Zero)),
        new("postgres-kill", "PostgreSQL killed (SIGKILL) for 5 s, inside the consumers' in-memory retries", c => CrashServerAsync(c, "postgres", kill: true, TimeSpan.FromSeconds(5))),
        new("postgres-kill-long", "PostgreSQL killed (SIGKILL) for 40 s, longer than the in-memory retries", c => CrashServerAsync(c, "postgres", kill: true, TimeSpan.FromSeconds(40))),
        new("postgres-restart", "PostgreSQL stopped cleanly (fast shutdown) and started again, as a switchover does", c => CrashServerAsync(c, "postgres", kill: false, TimeSpan.Zero)),
        new("postgres-disk-full", "PostgreSQL's disk full for 20 s: writes fail (SQLSTATE 53100), WAL may not be written", DiskFullAsync),
        new("rolling-restart", "every service in turn stopped with SIGTERM and started again, under load", RollingRestartAsync),
        new("duplicate-webhooks", "every webhook delivered twice at once, as a provider retrying to another replica does", _ => Task.CompletedTask)
        {
            DuplicateDeliveries = true,
        },
        new("poison", "malformed messages (bad JSON, bytes of no format) put on every queue consumers read", PoisonAsync),
        new("agents-offline", "a third of the agents go offline with open conversations for 20 s", AgentsOfflineAsync),
        new("tool-flaky", "agents' tools answer a third of the webhooks with 500, a tenth after 3 s, for 20 s", FlakyToolsAsync),
        new("tool-gone", "a quarter of the agents' tools answer 410 Gone for 10 s; their integrations then register again and read back what they missed",
            ToolGoneAsync),
        new("provider-reset", "the providers accept a third of the sends and then drop the connection before answering, for 20 s", ProviderResetAsync),
        new("redelivery-storm", "RabbitMQ closes every client connection every 3 s for 20 s: whatever was delivered and not yet acknowledged is delivered again",
            RedeliveryStormAsync),
        new("broker-partition", "routing's connection to RabbitMQ black-holed for 30 s: no error, no byte; then the connections are reset",
            PartitionAsync)
        {
            Prepare = c => BehindProxyAsync(c, "RabbitMq__Url", ChaosStack.RabbitMq),
            Cleanup = NoProxyAsync,
        },
        new("postgres-partition", "routing's connections to PostgreSQL black-holed for 30 s: queries hang, nothing answers; then the connections are reset",
            PartitionAsync)
        {
            Prepare = c => BehindProxyAsync(c, "ConnectionStrings__Routing", null),
            Cleanup = NoProxyAsync,
        },
        new("imap-restart", "email arrives by mail, read over IMAP by two email adapters at once; Dovecot is killed (SIGKILL) and started again 5 s later",
            ImapRestartAsync)
        {
            ByMail = true,
        },
        new("routing-replicas", "a second routing replica races the first for agents with two slots each; the first is killed (SIGKILL) and restarted while both run",
            RoutingReplicasAsync)
        {
            Capacity = 2,
        },
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

    private static async Task DiskFullAsync(FaultContext c)
    {
        await c.Stack.FillPostgresDiskAsync(full: true);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        }
        finally
        {
            await c.Stack.FillPostgresDiskAsync(full: false);
        }
        // A PostgreSQL that could not write its WAL stopped (PANIC): started again, as its supervisor would.
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
            await TestBroker.PublishPoisonAsync(management, queue, c.Cancellation);
            c.Poison += TestBroker.PoisonPerQueue;
        }
    }

    private static async Task RedeliveryStormAsync(FaultContext c)
    {
        using var management = ChaosStack.Management();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var connections = await management.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/connections?columns=name", c.Cancellation);
            foreach (var connection in connections.EnumerateArray())
            {
                using var close = new HttpRequestMessage(HttpMethod.Delete, "/api/connections/" + Uri.EscapeDataString(connection.GetProperty("name").GetString()!));
                close.Headers.Add("X-Reason", "make chaos: redelivery-storm");
                using var closed = await management.SendAsync(close, c.Cancellation);
                // 404: the connection ended on its own meanwhile
            }
            await Task.Delay(TimeSpan.FromSeconds(3), c.Cancellation);
        }
    }

    private static async Task AgentsOfflineAsync(FaultContext c)
    {
        var away = c.Floor.Agents.Take(Math.Max(1, c.Floor.Agents.Count / 3)).ToList();
        await c.Floor.SetPresenceAsync(away, "offline");
        await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        await c.Floor.SetPresenceAsync(away, "available");
    }

    /// <summary>Restarts routing with one of its servers reached through a proxy of this process (RabbitMQ's URL, or PostgreSQL's when null).</summary>
    private static async Task BehindProxyAsync(FaultContext c, string setting, Uri? rabbitMq)
    {
        string address;
        if (rabbitMq is not null)
        {
            (c.Proxy, address) = TcpProxy.ForUrl(rabbitMq.ToString());
        }
        else
        {
            var direct = new NpgsqlConnectionStringBuilder(c.Stack.RoutingDatabase) { MaxPoolSize = 64 };
            c.Proxy = TcpProxy.To(direct.Host!, direct.Port);
            address = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = c.Proxy.Port }.ConnectionString;
        }
        await c.Stack.RestartAsync("routing", new Dictionary<string, string> { [setting] = address });
    }

    private static async Task NoProxyAsync(FaultContext c)
    {
        await c.Stack.RestartAsync("routing");
        if (c.Proxy is not null)
        {
            await c.Proxy.DisposeAsync();
        }
    }

    private static async Task PartitionAsync(FaultContext c)
    {
        c.Proxy!.BlackHole();
        await Task.Delay(TimeSpan.FromSeconds(30), c.Cancellation);
        c.Proxy.Restore();
    }

    private static async Task ImapRestartAsync(FaultContext c)
    {
        await c.Stack.StartSecondReplicaAsync("email");
        await Task.Delay(TimeSpan.FromSeconds(5), c.Cancellation);
        await CrashServerAsync(c, "dovecot", kill: true, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(8), c.Cancellation);
        c.Stack.Signal("email-2", kill: false);
    }

    private static async Task ToolGoneAsync(FaultContext c)
    {
        var gone = c.Floor.Agents.Take(Math.Max(1, c.Floor.Agents.Count / 4)).ToList();
        gone.ForEach(a => c.Floor.Gone[a] = true);
        await Task.Delay(TimeSpan.FromSeconds(10), c.Cancellation);
        c.Floor.Gone.Clear();
        await c.Floor.ReconnectAsync(gone);
    }

    private static async Task ProviderResetAsync(FaultContext c)
    {
        using var sandbox = new HttpClient { BaseAddress = new Uri(Routing.Adapters.Testing.LocalStack.Sandbox) };
        (await sandbox.PostAsJsonAsync("/faults", new { resetShare = 0.33 }, c.Cancellation)).EnsureSuccessStatusCode();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        }
        finally
        {
            (await sandbox.DeleteAsync("/faults", CancellationToken.None)).EnsureSuccessStatusCode();
        }
    }

    private static async Task RoutingReplicasAsync(FaultContext c)
    {
        await c.Stack.StartSecondReplicaAsync("routing");
        await Task.Delay(TimeSpan.FromSeconds(8), c.Cancellation);
        c.Stack.Signal("routing", kill: true);
        await Task.Delay(TimeSpan.FromSeconds(5), c.Cancellation);
        await c.Stack.StartServicesAsync();
        await Task.Delay(TimeSpan.FromSeconds(8), c.Cancellation);
        c.Stack.Signal("routing-2", kill: false);
    }

    private static async Task FlakyToolsAsync(FaultContext c)
    {
        c.Floor.Behaviour = ToolBehaviour.Flaky;
        await Task.Delay(TimeSpan.FromSeconds(20), c.Cancellation);
        c.Floor.Behaviour = ToolBehaviour.Healthy;
    }
}
