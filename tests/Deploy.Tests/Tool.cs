using System.Diagnostics;

namespace Routing.Deploy.Tests;

/// <summary>Command-line tools the checks run (kubectl, node, npm, docker-compose), found on PATH or failing loudly.</summary>
internal static class Tool
{
    public static string RepositoryRoot { get; } = FindRoot();

    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string tool, IEnumerable<string> arguments, string? workingDirectory = null, string? stdin = null)
    {
        var path = Find(tool) ?? throw new InvalidOperationException(
            $"'{tool}' is not on PATH. `make test` installs what these checks need (kubectl comes with the machine; " +
            "docker-compose from Debian, the schema packages from npm).");
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static string RunOrThrow(string tool, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var result = Run(tool, arguments, workingDirectory);
        return result.ExitCode == 0 ? result.Output
            : throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Error}{result.Output}");
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

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
