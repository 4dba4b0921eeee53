using System.Text.RegularExpressions;

namespace Architecture.Tests;

/// <summary>Each project's folders are boundaries: they depend on each other without cycles, as its README draws them.</summary>
public sealed partial class FolderTests
{
    public static TheoryData<string> Projects() => [.. Repository.Projects];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Folders_depend_on_each_other_without_cycles(string project)
    {
        var graph = FolderGraph.Of(FolderGraph.Read(Repository.Full(project)));
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c => $"{project}: cycle among {string.Join(", ", c)}:\n{graph.Explain(c)}")));
    }

    [Fact]
    public void A_reintroduced_cycle_is_caught()
    {
        // The gateway before this check: the event log queued deliveries through the delivery store, and the delivery
        // store wrote events. One file of each kind brings the cycle back.
        var files = FolderGraph.Read(Repository.Full("services/AgentGateway")).Append(new SourceFile("Events", "Events/Backflow.cs", """
            namespace Routing.AgentGateway.Events;
            internal static class Backflow
            {
                public static object Queue(Routing.AgentGateway.Delivery.DeliveryStore store) => store;
            }
            """));
        var graph = FolderGraph.Of(files);

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["Delivery", "Events"], cycle);
        Assert.Contains("Events -> Delivery: DeliveryStore (Events/Backflow.cs)", graph.Explain(cycle));
    }

    [Fact]
    public void A_cycle_through_three_folders_in_routing_is_caught()
    {
        // The decision writer's data reaching back up into the inbound router: Database -> Inbound -> Assignment -> Database.
        var files = FolderGraph.Read(Repository.Full("services/Routing")).Append(new SourceFile("Database", "Database/Backflow.cs", """
            namespace Routing.Database;
            internal static class Backflow
            {
                public static object Route(Routing.Inbound.InboundRouter router) => router;
            }
            """));

        var cycle = Assert.Single(FolderGraph.Of(files).Cycles());
        Assert.Contains("Database", cycle);
        Assert.Contains("Inbound", cycle);
        Assert.Contains("Assignment", cycle);
    }

    [Fact]
    public void Names_in_comments_and_strings_are_not_dependencies()
    {
        var graph = FolderGraph.Of(
        [
            new SourceFile("A", "A/One.cs", "namespace N.A; /// <summary>Unlike <see cref=\"Two\"/>.</summary>\ninternal sealed class One { string s = \"Two\"; } // Two"),
            new SourceFile("B", "B/Two.cs", "namespace N.B; internal sealed class Two { One? one; }"),
        ]);

        Assert.Empty(graph.Cycles());
        Assert.Equal(["A"], graph.DependsOn["B"]);
        Assert.Empty(graph.DependsOn["A"]);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_readme_draws_the_folders_as_they_are(string project)
    {
        var graph = FolderGraph.Of(FolderGraph.Read(Repository.Full(project)));
        if (graph.Folders.Count < 2)
        {
            Assert.True(graph.Folders.Count < 2); // one folder or none: nothing to draw
            return;
        }
        var readme = Path.Combine(Repository.Full(project), "README.md");
        Assert.True(File.Exists(readme), $"{project} has {graph.Folders.Count} folders and no README.md drawing them");
        var drawn = Drawing(File.ReadAllText(readme), project);

        var actual = graph.DependsOn.ToDictionary(d => d.Key, d => string.Join(", ", d.Value));
        Assert.Equal(Lines(actual), Lines(drawn));
    }

    /// <summary>The "## Folders" section's text block: one line per folder, "Name" or "Name → A, B".</summary>
    private static Dictionary<string, string> Drawing(string readme, string project)
    {
        var section = FoldersSection().Match(readme);
        Assert.True(section.Success, $"{project}/README.md has no '## Folders' section with a ```text block drawing them");
        return section.Groups["block"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('→', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(parts => parts[0], parts => parts.Length == 2 ? string.Join(", ", parts[1].Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)) : "");
    }

    private static List<string> Lines(Dictionary<string, string> graph) =>
        graph.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Value.Length == 0 ? g.Key : $"{g.Key} → {g.Value}").ToList();

    [GeneratedRegex(@"^## Folders\b.*?```text\n(?<block>.*?)```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FoldersSection();
}
