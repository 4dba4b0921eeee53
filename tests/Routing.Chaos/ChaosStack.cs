using System.Diagnostics;
using Npgsql;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace Routing.Chaos;

/// <summary>
/// The local stack a campaign runs on (deploy/local: infra.sh for RabbitMQ and PostgreSQL, stack.sh for the services),
/// as an operator's hands: kill or stop a server or a service, start what is down again. Its addresses come from the
/// environment the instance wrote (.local/&lt;instance&gt;/env and stack.env, which make chaos and make test source).
/// </summary>
public sealed class ChaosStack
{
    /// <summary>The services stack.sh runs, by the name of their pid file.</summary>
    public static readonly IReadOnlyList<string> Services = ["routing", "gateway", "sms", "facebook", "whatsapp", "twitter", "email", "telegram", "instagram"];

    private ChaosStack(string instance, string state)
    {
        Instance = instance;
        State = state;
    }

    /// <summary>dev, test or chaos (deploy/local/instance.sh).</summary>
    public string Instance { get; }

    /// <summary>The instance's data folder: pid files and logs of the services.</summary>
    public string State { get; }

    // The services' addresses and secrets: LocalStack, as for the end-to-end tests.
    public string RoutingDatabase => Address("ROUTING_TEST_POSTGRES");
    public string GatewayDatabase => new NpgsqlConnectionStringBuilder(RoutingDatabase) { Database = "gateway" }.ConnectionString;

    public static async Task<ChaosStack> AttachAsync()
    {
        var instance = Environment.GetEnvironmentVariable("ROUTING_INSTANCE") is { Length: > 0 } named ? named : "dev";
        var described = await RunAsync("deploy/local/infra.sh", "describe");
        var state = described.Split('\n').Select(l => l.Split(' ', 2)).First(p => p[0] == "state")[1].Trim();
        var stack = new ChaosStack(instance, state);
        _ = LocalStack.Routing;
        _ = stack.RoutingDatabase;
        return stack;
    }

    /// <summary>A management API client of the instance's RabbitMQ (guest on loopback).</summary>
    public static HttpClient Management() => TestBroker.ManagementClient(Address("ROUTING_TEST_RABBITMQ_MANAGEMENT"));

    /// <summary>SIGKILL (a crash) or SIGTERM (a rolling restart) to one of the services.</summary>
    public void Signal(string service, bool kill)
    {
        var pidFile = Path.Combine(State, service + ".pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            throw new InvalidOperationException($"{service} is not running on the {Instance} instance (no {pidFile})");
        }
        using var process = Process.GetProcessById(pid);
        if (kill)
        {
            process.Kill();
        }
        else
        {
            using var term = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            term.WaitForExit();
        }
        process.WaitForExit(TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts every service that is not running, and waits until all answer /health/ready.</summary>
    public Task StartServicesAsync() => RunAsync("deploy/local/stack.sh", "up");

    /// <summary>
    /// Restarts one service (SIGTERM, then up) with settings of its own, e.g. its broker's address pointing at a proxy;
    /// with none, as the instance configures it.
    /// </summary>
    public async Task RestartAsync(string service, IReadOnlyDictionary<string, string>? settings = null)
    {
        Signal(service, kill: false);
        await RunAsync("deploy/local/stack.sh", (settings ?? new Dictionary<string, string>()).ToDictionary(s => "STACK_" + s.Key, s => s.Value), "up");
    }

    /// <summary>The instance's RabbitMQ (AMQP) and PostgreSQL addresses, for a proxy in front of them.</summary>
    public static Uri RabbitMq => new(Address("ROUTING_TEST_RABBITMQ"));

    /// <summary>Starts a second replica of a service (routing-2, email-2) beside the first, on the same servers.</summary>
    public Task StartSecondReplicaAsync(string service) =>
        RunAsync("deploy/local/stack.sh", new Dictionary<string, string> { ["SECOND_REPLICAS"] = service }, "up");

    /// <summary>SIGKILL (kill) or a clean stop of postgres or rabbitmq.</summary>
    public Task StopServerAsync(string server, bool kill) => RunAsync("deploy/local/infra.sh", kill ? "kill" : "stop", server);

    /// <summary>Fills PostgreSQL's disk (all of the instance's own tmpfs), or frees it again.</summary>
    public Task FillPostgresDiskAsync(bool full) => RunAsync("deploy/local/infra.sh", full ? "fill" : "free", "postgres");

    /// <summary>Starts whichever server is down. A killed PostgreSQL may need a moment before its memory is free again.</summary>
    public async Task StartServersAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync("deploy/local/infra.sh", "up");
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    public async Task<NpgsqlConnection> RoutingDbAsync(CancellationToken ct = default)
    {
        var connection = new NpgsqlConnection(RoutingDatabase);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task<NpgsqlConnection> GatewayDbAsync(CancellationToken ct = default)
    {
        var connection = new NpgsqlConnection(GatewayDatabase);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static string Address(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value.TrimEnd('/')
            : throw new InvalidOperationException($"{variable} is not set: make chaos (or make test) starts an instance and sources its env and stack.env.");

    /// <summary>Runs one of the repository's scripts on this instance; its output, or an error with the last of it.</summary>
    private static Task<string> RunAsync(string script, params string[] arguments) => RunAsync(script, new Dictionary<string, string>(), arguments);

    private static async Task<string> RunAsync(string script, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AdapterProcess.RepositoryRoot, script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AdapterProcess.RepositoryRoot,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var tail = string.Join('\n', (await errors).Split('\n').TakeLast(15));
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {tail}");
        }
        return await output;
    }
}
