using System.Globalization;

namespace Routing.Pipeline.Benchmarks;

/// <summary>
/// Processor time by part of the stack over a step, from /proc: each service (its pid file), PostgreSQL (the instance's
/// postmaster and its backends), RabbitMQ (the instance's Erlang node), this benchmark (generator and tool), and the
/// machine as a whole. Reported in cores (1.0 = one core busy for the whole step).
/// </summary>
public sealed class CpuUse
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on
    private readonly string _state;
    private readonly int _pgPort;
    private readonly string _rabbitHome;
    private long _startedAt;

    public CpuUse(string state, int pgPort)
    {
        _state = state;
        _pgPort = pgPort;
        // the instance's Erlang node: beam.smp's command line names its home folder (its name is in the environment only)
        _rabbitHome = Path.Combine(state, "rabbitmq");
    }

    public static readonly IReadOnlyList<string> Parts =
        ["routing", "gateway", "sms", "facebook", "whatsapp", "twitter", "email", "sandbox", "postgres", "rabbitmq", "benchmark", "machine"];

    private Dictionary<(string Part, int Pid), double> _startByProcess = [];

    public void Start()
    {
        _startByProcess = Sample();
        _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Cores each part used since <see cref="Start"/>: per process, what it used since then (all of it, for a process that
    /// started meanwhile, such as a new database connection's backend; a process that ended meanwhile is not counted).
    /// </summary>
    public IReadOnlyDictionary<string, double> Stop()
    {
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var used = Parts.ToDictionary(p => p, _ => 0.0);
        foreach (var (key, cpu) in Sample())
        {
            used[key.Part] += cpu - _startByProcess.GetValueOrDefault(key);
        }
        return used.ToDictionary(u => u.Key, u => Math.Max(0, u.Value) / seconds);
    }

    private Dictionary<(string Part, int Pid), double> Sample()
    {
        var seconds = new Dictionary<(string, int), double>();
        var services = Parts.Take(8).ToDictionary(s => ReadPid(Path.Combine(_state, s + ".pid")), s => s);
        var postmaster = -1;
        var processes = new List<(int Pid, int Parent, string Command, double Seconds)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ... utime(14) stime(15): fields after the command's closing parenthesis
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                processes.Add((pid, int.Parse(fields[1], CultureInfo.InvariantCulture), command, cpu));
                if (command.Contains("postgres", StringComparison.Ordinal) && command.Contains($"-p {_pgPort} ", StringComparison.Ordinal))
                {
                    postmaster = pid;
                }
            }
            catch (IOException)
            {
                // the process ended while it was read
            }
        }
        foreach (var (pid, parent, command, cpu) in processes)
        {
            var part = services.GetValueOrDefault(pid)
                ?? (pid == postmaster || parent == postmaster ? "postgres" : null)
                ?? (command.Contains("beam", StringComparison.Ordinal) && command.Contains($" {_rabbitHome} ", StringComparison.Ordinal) ? "rabbitmq" : null)
                ?? (pid == Environment.ProcessId ? "benchmark" : null);
            if (part is not null)
            {
                seconds[(part, pid)] = cpu;
            }
        }
        // the machine: every processor's busy time (user, nice, system, irq, softirq, steal) from /proc/stat
        var total = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        seconds[("machine", 0)] = (total[0] + total[1] + total[2] + total[5] + total[6] + total[7]) / TicksPerSecond;
        return seconds;
    }

    private static int ReadPid(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : -1;
}
