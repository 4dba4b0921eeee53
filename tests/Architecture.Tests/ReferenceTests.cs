namespace Architecture.Tests;

/// <summary>Services meet through contracts and the bus, never through each other's code.</summary>
public sealed class ReferenceTests
{
    public static TheoryData<string> Services() => [.. Repository.Services];

    public static TheoryData<string> Projects() => [.. Repository.Projects];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_references_only_contracts_and_the_shared_libraries(string service)
    {
        var file = Directory.EnumerateFiles(Repository.Full(service), "*.csproj").Single();
        var references = Repository.ReferencedProjects(Path.GetRelativePath(Repository.Root, file));

        var strays = references.Where(r => !r.StartsWith("contracts/", StringComparison.Ordinal) && !Repository.Libraries.Contains(r)).ToList();
        Assert.True(strays.Count == 0, $"{service} references {string.Join(", ", strays)}: share code through contracts/ or a library, not another service");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_compiles_only_its_own_files(string project)
    {
        var linked = Repository.ProjectFile(project).Descendants("Compile")
            .Select(c => c.Attribute("Include")?.Value).OfType<string>().Where(i => i.Contains("..", StringComparison.Ordinal)).ToList();
        Assert.True(linked.Count == 0, $"{project} compiles files of another project: {string.Join(", ", linked)}");
    }

    /// <summary>
    /// Shared test support (Infrastructure.Testing, Adapters.Testing) loads no service, so a test assembly loads only the
    /// services it tests; a service's own support (Routing.Testing) loads that service alone.
    /// </summary>
    [Fact]
    public void Test_support_loads_no_service_but_its_own()
    {
        var support = Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests"), "*.Testing.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p)).ToList();
        Assert.Contains(support, p => p.EndsWith("Infrastructure.Testing.csproj", StringComparison.Ordinal));
        foreach (var project in support)
        {
            var own = Path.GetFileName(project)[..^".Testing.csproj".Length];
            var services = Closure(project).Where(r => Repository.Services.Contains(r) && Path.GetFileName(r) != own).ToList();
            Assert.True(services.Count == 0, $"{project} loads the service(s) {string.Join(", ", services)}: every test assembly using it would load them too");
        }
    }

    /// <summary>The image builds restore from project files alone first: every project a service needs must be copied in that layer.</summary>
    [Theory]
    [MemberData(nameof(Services))]
    public void The_image_restores_every_project_a_service_needs(string service)
    {
        var dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "images", "Dockerfile"));
        var file = Path.GetRelativePath(Repository.Root, Directory.EnumerateFiles(Repository.Full(service), "*.csproj").Single());
        foreach (var project in Closure(file).Append(service))
        {
            Assert.Contains($"COPY {project}/*.csproj {project}/", dockerfile, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Samples_for_the_demo_live_outside_tests()
    {
        var demo = Directory.EnumerateFiles(Path.Combine(Repository.Root, "deploy"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Repository.Root, p)).ToList();
        Assert.NotEmpty(demo);
        foreach (var project in demo)
        {
            var tests = Closure(project).Where(r => r.StartsWith("tests/", StringComparison.Ordinal)).ToList();
            Assert.True(tests.Count == 0, $"{project} references test projects: {string.Join(", ", tests)}");
        }
    }

    /// <summary>Every project reachable from <paramref name="projectFile"/> through project references.</summary>
    private static HashSet<string> Closure(string projectFile)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([projectFile]);
        while (pending.TryPop(out var file))
        {
            foreach (var directory in Repository.ReferencedProjects(file).Where(seen.Add))
            {
                pending.Push(Path.GetRelativePath(Repository.Root, Directory.EnumerateFiles(Repository.Full(directory), "*.csproj").Single()));
            }
        }
        return seen;
    }
}
