namespace Routing.Deploy.Tests;

/// <summary>A channel of deploy/channels.tsv: the one list of channels (deploy/local/stack.sh reads it too).</summary>
internal sealed record Channel(string Name, string Folder, string Assembly, int Port)
{
    public static IReadOnlyList<Channel> All { get; } = File.ReadAllLines(Path.Combine(Tool.RepositoryRoot, "deploy", "channels.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(f => new Channel(f[0], f[1], f[2], int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture)))
        .ToList();

    /// <summary>The adapter's Deployment, Service, broker user and image name.</summary>
    public string Service => $"adapter-{Name}";

    /// <summary>The queue its replies come in on (its KEDA trigger).</summary>
    public string SendQueue => $"{Name}-send-channel-message";

    public string Project => $"{Folder}/{Path.GetFileName(Folder)}.csproj";
}
