using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Architecture.Tests;

/// <summary>A source file of a project: its top-level folder ("." for the project's root) and its text.</summary>
public sealed record SourceFile(string Folder, string Path, string Text);

/// <summary>Why one folder depends on another: a type of the other folder named in a file.</summary>
public sealed record FolderEdge(string From, string To, string Type, string File);

/// <summary>
/// The folders of one project and who depends on whom: folder F depends on folder G when a file of F names a type
/// declared only in G. Read from syntax (comments and strings do not count). The project's root folder composes the
/// others (Program, the service registration, the options) and is left out: it may use, and be used by, any folder.
/// </summary>
public sealed class FolderGraph
{
    private FolderGraph(IReadOnlyList<string> folders, IReadOnlyList<FolderEdge> edges) => (Folders, Edges) = (folders, edges);

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Every reason for every dependency, one per (file, type).</summary>
    public IReadOnlyList<FolderEdge> Edges { get; }

    /// <summary>Each folder and the folders it depends on.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> DependsOn =>
        Folders.ToDictionary(f => f, f => new SortedSet<string>(Edges.Where(e => e.From == f).Select(e => e.To), StringComparer.Ordinal));

    public static FolderGraph Of(IEnumerable<SourceFile> files)
    {
        var parsed = files.Select(f => (File: f, Root: CSharpSyntaxTree.ParseText(f.Text, path: f.Path).GetRoot())).ToList();
        var declaredIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (file, root) in parsed)
        {
            foreach (var name in root.DescendantNodes().Select(DeclaredName).OfType<string>())
            {
                (declaredIn.TryGetValue(name, out var folders) ? folders : declaredIn[name] = []).Add(file.Folder);
            }
        }
        // A name declared in two folders cannot be told apart without binding: it counts for neither.
        var owner = declaredIn.Where(d => d.Value.Count == 1).ToDictionary(d => d.Key, d => d.Value.Single(), StringComparer.Ordinal);

        var edges = new List<FolderEdge>();
        foreach (var (file, root) in parsed.Where(p => p.File.Folder != "."))
        {
            var named = root.DescendantNodes().OfType<SimpleNameSyntax>().Select(n => n.Identifier.ValueText).Distinct(StringComparer.Ordinal);
            foreach (var name in named.Order(StringComparer.Ordinal))
            {
                if (owner.TryGetValue(name, out var folder) && folder != file.Folder && folder != ".")
                {
                    edges.Add(new FolderEdge(file.Folder, folder, name, file.Path));
                }
            }
        }
        var all = parsed.Select(p => p.File.Folder).Where(f => f != ".").Distinct().Order(StringComparer.Ordinal).ToList();
        return new FolderGraph(all, edges);
    }

    /// <summary>The projects' source files under <paramref name="projectDirectory"/>, bin and obj left out.</summary>
    public static IReadOnlyList<SourceFile> Read(string projectDirectory) =>
        Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(p => (Path: p, Relative: System.IO.Path.GetRelativePath(projectDirectory, p)))
            .Where(p => !p.Relative.StartsWith("bin" + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !p.Relative.StartsWith("obj" + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(p => new SourceFile(p.Relative.Contains(System.IO.Path.DirectorySeparatorChar) ? p.Relative.Split(System.IO.Path.DirectorySeparatorChar)[0] : ".",
                p.Relative, File.ReadAllText(p.Path)))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>The groups of folders that depend on each other in a cycle (strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var next = DependsOn;
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    cycles.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }
        foreach (var folder in Folders.Where(f => !index.ContainsKey(f)))
        {
            Visit(folder);
        }
        return cycles;
    }

    /// <summary>The edges inside a cycle, as a reader needs them to break it: "Events -> Conversations: ConversationStore (Events/X.cs)".</summary>
    public string Explain(IReadOnlyList<string> cycle) => string.Join("\n", Edges
        .Where(e => cycle.Contains(e.From) && cycle.Contains(e.To))
        .Select(e => $"  {e.From} -> {e.To}: {e.Type} ({e.File})"));

    private static string? DeclaredName(SyntaxNode node) => node switch
    {
        BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
        DelegateDeclarationSyntax d => d.Identifier.ValueText,
        _ => null,
    };
}
