using System.Xml.Linq;

namespace Architecture.Tests;

/// <summary>The repository this test runs from, and its projects as the architecture rules see them.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Shared libraries a service may reference: they run inside services, they are not services.</summary>
    public static IReadOnlyList<string> Libraries { get; } = ["services/ServiceDefaults", "services/Adapters/AdapterKit"];

    /// <summary>Every project under services/ (relative directory), services and libraries alike.</summary>
    public static IReadOnlyList<string> Projects { get; } =
        Directory.EnumerateFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Root, Path.GetDirectoryName(p)!).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<string> Services { get; } = Projects.Except(Libraries).ToList();

    public static string Full(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The project file of a project directory.</summary>
    public static XDocument ProjectFile(string directory) =>
        XDocument.Load(Directory.EnumerateFiles(Full(directory), "*.csproj").Single());

    /// <summary>The projects <paramref name="projectFile"/> references, as repository-relative directories.</summary>
    public static IReadOnlyList<string> ReferencedProjects(string projectFile) =>
        XDocument.Load(Full(projectFile)).Descendants("ProjectReference")
            .Select(r => Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Full(projectFile))!, r.Attribute("Include")!.Value)))!)
            .Select(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();

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
