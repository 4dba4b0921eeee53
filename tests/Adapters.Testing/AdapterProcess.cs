using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Routing.Adapters.Testing;

/// <summary>
/// An adapter as it runs in production, a process of its own built by make build, configured with the
/// local stack's dev-only secrets (deploy/local/dev.env): a second replica for the end-to-end tests, the
/// subjects of the ingestion benchmark.
/// </summary>
public static class AdapterProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Secrets = new(() =>
        File.ReadAllLines(Path.Combine(RepositoryRoot, "deploy", "local", "dev.env"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => Unquote(l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..])));

    /// <summary>A value the shell would read the same: "Example Support" is Example Support.</summary>
    private static string Unquote(string value) => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    /// <summary>deploy/local/dev.env as configuration keys in environment form (Twilio__AuthToken, ...).</summary>
    public static IReadOnlyDictionary<string, string> DevSecrets => Secrets.Value;

    /// <summary>
    /// Starts services/Adapters/<paramref name="folder"/>'s <paramref name="assembly"/> on 127.0.0.1:<paramref name="port"/>,
    /// checking signatures against <paramref name="publicBaseUrl"/> and publishing to <paramref name="brokerUrl"/>.
    /// </summary>
    public static Process Start(string folder, string assembly, int port, string publicBaseUrl, string brokerUrl, IReadOnlyDictionary<string, string>? settings = null) =>
        StartService(Path.Combine("services", "Adapters", folder), assembly, port, DevSecrets
            .Append(new("Webhooks__Spool__Directory", NewSpoolFolder()))
            .Concat(settings ?? new Dictionary<string, string>())
            .Append(new("Webhooks__PublicBaseUrl", publicBaseUrl)).Append(new("RabbitMq__Url", brokerUrl)));

    /// <summary>A spool folder of its own for an adapter a test starts (never the default /var/spool/routing, which a real install uses).</summary>
    public static string NewSpoolFolder() => Path.Combine(Path.GetTempPath(), "routing-spool-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Any service of the repository (<paramref name="folder"/> relative to its root) from its Release build, with these settings only.</summary>
    public static Process StartService(string folder, string assembly, int port, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var dll = Path.Combine(RepositoryRoot, folder, "bin", "Release", "net10.0", assembly + ".dll");
        var start = new ProcessStartInfo("dotnet", dll) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A loopback port nobody listens on at the moment: for a process a test starts, so it never meets a stack that runs beside the tests.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }
}
