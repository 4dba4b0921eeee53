using System.Diagnostics;
using Routing.Adapters.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>The routing service as a real operating-system process (dotnet Routing.dll), so a test can kill it.</summary>
internal sealed class RoutingProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RoutingProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static RoutingProcess Start(string connectionString, string brokerUrl, IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Routing.dll");
        var port = AdapterProcess.FreePort();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Routing"] = connectionString;
        info.Environment["RabbitMq__Url"] = brokerUrl;
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Test";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the routing process");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RoutingProcess(process, port);
    }

    public async Task WaitReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The routing process exited with {_process.ExitCode} before it was ready.");
            }
            try
            {
                if ((await client.GetAsync("health/ready", cts.Token)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200, cts.Token);
        }
    }

    public Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
