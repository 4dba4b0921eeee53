using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Routing.EndToEndTests;

/// <summary>
/// The local stack as make up runs it (deploy/local/stack.sh): its addresses, its dev-only secrets read
/// from deploy/local/dev.env, and a check that every service is ready. `make test` starts the stack
/// before the tests; a missing stack fails the tests, it never skips them.
/// </summary>
public static class LocalStack
{
    public const string Routing = "http://127.0.0.1:5080";
    public const string Sms = "http://127.0.0.1:5101";
    public const string Facebook = "http://127.0.0.1:5102";
    public const string WhatsApp = "http://127.0.0.1:5103";
    public const string Sandbox = "http://127.0.0.1:5190";

    public static string Root { get; } = FindRoot();

    private static readonly Lazy<IReadOnlyDictionary<string, string>> DevEnv = new(() =>
        File.ReadAllLines(Path.Combine(Root, "deploy", "local", "dev.env"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]));

    public static IReadOnlyDictionary<string, string> Secrets => DevEnv.Value;

    public static async Task RequireReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var service in new[] { Routing, Sms, Facebook, WhatsApp, Sandbox })
        {
            try
            {
                (await http.GetAsync(service + "/health/ready")).EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                throw new InvalidOperationException($"The local stack is not ready at {service} ({ex.Message}): `make test` starts it with deploy/local/stack.sh up.", ex);
            }
        }
    }

    /// <summary>What the provider sandbox received, newest last.</summary>
    public static async Task<JsonElement> SentAsync(HttpClient http) => await http.GetFromJsonAsync<JsonElement>(Sandbox + "/sent");

    /// <summary>One more instance of an adapter, as a second replica behind the same public URL, on <paramref name="port"/>.</summary>
    public static Process StartAdapterReplica(string folder, string assembly, int port, string publicBaseUrl)
    {
        var dll = Path.Combine(Root, folder, "bin", "Release", "net10.0", assembly + ".dll");
        var start = new ProcessStartInfo("dotnet", dll) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in Secrets)
        {
            start.Environment[key] = value;
        }
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Webhooks__PublicBaseUrl"] = publicBaseUrl;
        start.Environment["RabbitMq__Url"] = Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
