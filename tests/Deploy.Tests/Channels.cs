namespace Routing.Deploy.Tests;

/// <summary>A channel of deploy/channels.tsv: the one list of channels (deploy/local/stack.sh reads it too).</summary>
internal sealed record Channel(string Name, string Folder, string Assembly, int Port, ProviderApiSetting? ProviderApi = null)
{
    public static IReadOnlyList<Channel> All { get; } = File.ReadAllLines(Path.Combine(Tool.RepositoryRoot, "deploy", "channels.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(f => new Channel(f[0], f[1], f[2], int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture),
            f.Length > 4 ? ProviderApiSetting.Parse(f[4]) : null))
        .ToList();

    /// <summary>The adapter's Deployment, Service, broker user and image name.</summary>
    public string Service => $"adapter-{Name}";

    /// <summary>The queue its replies come in on (its KEDA trigger).</summary>
    public string SendQueue => $"{Name}-send-channel-message";

    public string Project => $"{Folder}/{Path.GetFileName(Folder)}.csproj";
}

/// <summary>
/// The setting that points an adapter at its provider's API, and the path under the sandbox's address that imitates it
/// (channels.tsv's fifth column: "Telegram__ApiBaseUrl=/telegram"; "-" for an adapter with no such API, email).
/// </summary>
internal sealed record ProviderApiSetting(string Name, string Path)
{
    public static ProviderApiSetting? Parse(string column) =>
        column is "" or "-" ? null : column.Split('=', 2) is [var name, var path] ? new(name, path) : new(column, "");
}
