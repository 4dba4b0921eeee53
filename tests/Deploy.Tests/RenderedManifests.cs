using System.Text.Json.Nodes;

namespace Routing.Deploy.Tests;

/// <summary>
/// Every overlay and both infrastructures rendered once with `kubectl kustomize`, each object run through the schema
/// validator (schema/validate.mjs). A missing tool fails the tests; nothing is skipped.
/// </summary>
public sealed class RenderedManifests
{
    /// <summary>The platform's overlays, each with the infrastructure (in a namespace of its own) it runs on.</summary>
    public static readonly IReadOnlyDictionary<string, string> Infrastructure = new Dictionary<string, string>
    {
        ["overlays/dev"] = "infrastructure/dev",
        ["overlays/prod"] = "infrastructure/prod",
        ["overlays/prod-hpa"] = "infrastructure/prod",
        ["overlays/prod-ingress-nginx"] = "infrastructure/prod",
    };

    public static readonly string[] Sources = [.. Infrastructure.Keys, .. Infrastructure.Values.Distinct()];

    private readonly Dictionary<string, string> _yaml = [];

    public RenderedManifests() : this(Tool.RepositoryRoot)
    {
    }

    /// <param name="root">the repository, or a copy of it (a channel scaffolded in a test)</param>
    internal RenderedManifests(string root)
    {
        var k8s = Path.Combine(root, "deploy", "k8s");
        var work = Directory.CreateTempSubdirectory("rendered-manifests-").FullName;
        var files = new List<string>();
        foreach (var source in Sources)
        {
            var yaml = Tool.RunOrThrow("kubectl", ["kustomize", Path.Combine(k8s, source)]);
            _yaml[source] = yaml;
            var file = Path.Combine(work, source.Replace('/', '_') + ".yaml");
            File.WriteAllText(file, yaml);
            files.Add(file);
        }
        All = Validate(files, file => Sources[files.IndexOf(file)]);
    }

    internal IReadOnlyList<Manifest> All { get; }

    internal IReadOnlyList<Manifest> From(string source) => All.Where(m => m.Source == source).ToList();

    /// <summary>Deep copies of a source's objects, for a test to break.</summary>
    internal List<Manifest> Copy(string source) => From(source).Select(m => m with { Object = m.Object.DeepClone().AsObject() }).ToList();

    internal string Yaml(string source) => _yaml[source];

    /// <summary>
    /// The CRDs the operators' kinds are checked against, from the team's shared folder: the RabbitmqCluster's and the
    /// Messaging Topology Operator's (User, Permission, Policy, Exchange, Queue, Binding, ...).
    /// </summary>
    internal static IReadOnlyList<string> CrdFiles()
    {
        string[] candidates =
        [
            Environment.GetEnvironmentVariable("ROUTING_CRDS_DIR") ?? "",
            Path.Combine(Tool.RepositoryRoot, "..", "shared", "crds"),
            "/work/shared/crds",
        ];
        var dir = candidates.FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "rabbitmq.com_rabbitmqclusters.yaml")))
            ?? throw new InvalidOperationException(
                "rabbitmq.com_rabbitmqclusters.yaml not found in ROUTING_CRDS_DIR, ../shared/crds or /work/shared/crds");
        string[] kinds = ["rabbitmqclusters", "users", "permissions", "policies", "exchanges", "queues", "bindings"];
        return kinds.Select(kind => Path.Combine(dir, $"rabbitmq.com_{kind}.yaml"))
            .Select(file => File.Exists(file) ? file : throw new InvalidOperationException($"{file} is missing")).ToList();
    }

    /// <summary>Runs the validator over YAML files; <paramref name="sourceOf"/> names each file's objects.</summary>
    internal static IReadOnlyList<Manifest> Validate(IReadOnlyList<string> files, Func<string, string> sourceOf)
    {
        var schema = Path.Combine(Tool.RepositoryRoot, "tests", "Deploy.Tests", "schema");
        InstallValidator(schema);
        var arguments = new List<string> { "validate.mjs" };
        foreach (var crd in CrdFiles())
        {
            arguments.AddRange(["--crd", crd]);
        }
        arguments.AddRange(files);
        var output = Tool.RunOrThrow("node", arguments, schema);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .Select(o => new Manifest(
                sourceOf(o["file"]!.GetValue<string>()),
                o["apiVersion"]?.GetValue<string>() ?? "",
                o["kind"]?.GetValue<string>() ?? "",
                o["name"]?.GetValue<string>() ?? "",
                o["object"]!.AsObject(),
                o["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList()))
            .ToList();
    }

    private static readonly Lock InstallLock = new();

    /// <summary>The schema folder's npm packages, at the exact versions of package-lock.json.</summary>
    internal static void InstallValidator(string schema)
    {
        lock (InstallLock)
        {
            // The exact versions of package-lock.json, once per checkout.
            if (!File.Exists(Path.Combine(schema, "node_modules", ".package-lock.json")))
            {
                Tool.RunOrThrow("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], schema);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RenderedManifestsCollection : ICollectionFixture<RenderedManifests>
{
    public const string Name = "rendered manifests";
}
