namespace Routing.Deploy.Tests;

/// <summary>
/// A channel is listed once, in deploy/channels.tsv (issue 19). Whatever else must name it is checked here, channel by
/// channel, and each gap is reported as the edit that would close it: the guide for a new channel
/// (services/Adapters/README.md, "Adding a channel") is this list. ManifestRules' services and webhook paths, and
/// deploy/local/stack.sh's adapters, come from the same file.
/// </summary>
[Collection(RenderedManifestsCollection.Name)]
public sealed class ChannelRegistrationTests(RenderedManifests rendered)
{
    [Fact]
    public void Should_list_every_adapter_project_as_a_channel()
    {
        var projects = Directory.GetDirectories(Path.Combine(Tool.RepositoryRoot, "services", "Adapters"))
            .Select(Path.GetFileName).Where(name => name != "AdapterKit").Select(name => $"services/Adapters/{name}").Order();

        Assert.Equal(projects, Channel.All.Select(c => c.Folder).Order());
        Assert.Equal(Channel.All.Count, Channel.All.Select(c => c.Port).Distinct().Count());
    }

    /// <summary>Every channel is everywhere it must be; with ROUTING_WRITE_CHANNELS=1 (make channels), what is missing is written first.</summary>
    [Fact]
    public void Should_find_every_channel_everywhere_it_must_be()
    {
        var manifests = rendered;
        if (Environment.GetEnvironmentVariable("ROUTING_WRITE_CHANNELS") == "1")
        {
            var written = Channel.All.SelectMany(c => ChannelScaffold.Write(c, Tool.RepositoryRoot)).Distinct().ToList();
            Console.WriteLine(written.Count == 0 ? "make channels: nothing to write" : "make channels wrote:\n  " + string.Join("\n  ", written));
            manifests = written.Count == 0 ? rendered : new RenderedManifests();
        }

        var gaps = Channel.All.SelectMany(c => Gaps(c, Tool.RepositoryRoot, manifests)).ToList();

        Assert.True(gaps.Count == 0, "a channel of deploy/channels.tsv is missing from (make channels writes these):\n" + string.Join('\n', gaps));
    }

    [Fact]
    public void Should_name_each_edit_a_new_channel_still_needs()
    {
        var viber = new Channel("viber", "services/Adapters/Viber", "Routing.Adapters.Viber", 5199);

        var gaps = Gaps(viber, Tool.RepositoryRoot, rendered).ToList();

        string[] expected = ["Routing.sln", "deploy/k8s/base/kustomization.yaml", "deploy/k8s/base/adapters/viber/", "overlays/prod: no Deployment",
            "overlays/prod: no ScaledObject", "overlays/prod-hpa: no HorizontalPodAutoscaler", "/webhooks/viber", "overlays/dev: no Deployment",
            "Webhooks__PublicBaseUrl", "deploy/rabbitmq/definitions.json", "deploy/compose.yaml", "deploy/README.md", "deploy/images/Dockerfile"];
        Assert.All(expected, edit => Assert.Contains(gaps, gap => gap.Contains(edit, StringComparison.Ordinal)));
    }

    /// <summary>
    /// A new channel's line in channels.tsv is all its registration needs: on a copy of the repository's deployment files,
    /// the scaffold writes the rest, nothing is left for any check above, the manifests render and validate, and a second
    /// run writes nothing.
    /// </summary>
    [Fact]
    public void Should_scaffold_everything_a_new_channel_needs_from_its_line()
    {
        var root = Directory.CreateTempSubdirectory("channel-scaffold-").FullName;
        foreach (var path in new[] { "Routing.sln", "deploy/compose.yaml", "deploy/README.md", "deploy/channels.tsv", "deploy/images/Dockerfile",
                     "deploy/local/compose-rabbitmq-users.json", "deploy/rabbitmq/definitions.json" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.Copy(Path.Combine(Tool.RepositoryRoot, path), Path.Combine(root, path));
        }
        Tool.RunOrThrow("cp", ["-r", Path.Combine(Tool.RepositoryRoot, "deploy", "k8s"), Path.Combine(root, "deploy", "k8s")]);
        var viber = new Channel("viber", "services/Adapters/Viber", "Routing.Adapters.Viber", 5199, new ProviderApiSetting("Viber__ApiBaseUrl", "/viber"));
        Directory.CreateDirectory(Path.Combine(root, viber.Folder));
        File.WriteAllText(Path.Combine(root, viber.Project), """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><AssemblyName>Routing.Adapters.Viber</AssemblyName></PropertyGroup></Project>""");

        var written = ChannelScaffold.Write(viber, root);
        var again = ChannelScaffold.Write(viber, root);

        Assert.Contains("Routing.sln", written);
        Assert.Contains("deploy/k8s/base/rabbitmq-topology.yaml", written);
        Assert.Empty(again);
        var copy = new RenderedManifests(root);
        Assert.Empty(Gaps(viber, root, copy));
        Assert.All(copy.All, m => Assert.Empty(m.SchemaErrors));
        Assert.Contains("      Viber__ApiBaseUrl: http://sandbox:8080/viber\n", File.ReadAllText(Path.Combine(root, "deploy", "compose.yaml")), StringComparison.Ordinal);
        // the channels already there are untouched: only additions
        var diff = Tool.Run("git", ["diff", "--no-index", "--numstat", Path.Combine(Tool.RepositoryRoot, "deploy", "k8s", "overlays", "prod", "kustomization.yaml"),
            Path.Combine(root, "deploy", "k8s", "overlays", "prod", "kustomization.yaml")]);
        Assert.StartsWith("2\t0\t", diff.Output, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Gaps(Channel channel, string root, RenderedManifests rendered)
    {
        string Read(string path) => File.ReadAllText(Path.Combine(root, path));
        var c = channel.Name;
        if (!Read("Routing.sln").Contains(channel.Project.Replace('/', '\\'), StringComparison.Ordinal))
        {
            yield return $"{c}: Routing.sln (dotnet sln add {channel.Project})";
        }
        if (!Read("deploy/k8s/base/kustomization.yaml").Contains($"  - adapters/{c}\n", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/k8s/base/kustomization.yaml (resources: adapters/{c})";
        }
        foreach (var file in new[] { "kustomization.yaml", "deployment.yaml", "service.yaml", "pdb.yaml", $"{channel.Service}.env" })
        {
            if (!File.Exists(Path.Combine(root, "deploy", "k8s", "base", "adapters", c, file)))
            {
                yield return $"{c}: deploy/k8s/base/adapters/{c}/{file} (copy another adapter's folder)";
            }
        }
        foreach (var overlay in new[] { "overlays/dev", "overlays/prod", "overlays/prod-hpa", "overlays/prod-ingress-nginx" })
        {
            var objects = rendered.From(overlay);
            var deployment = objects.FirstOrDefault(m => m.Kind == "Deployment" && m.Name == channel.Service);
            if (deployment is null)
            {
                yield return $"{c}: {overlay}: no Deployment {channel.Service}";
            }
            else if (deployment["spec.template.spec.containers.0.image"]?.GetValue<string>() is not { } image || !image.Contains('/', StringComparison.Ordinal)
                     || !image.Contains(':', StringComparison.Ordinal))
            {
                yield return $"{c}: {overlay}: no image for {channel.Service} (the overlay's images:)";
            }
            var config = objects.FirstOrDefault(m => m.Kind == "ConfigMap" && m.Name.StartsWith(channel.Service + "-", StringComparison.Ordinal));
            if (config?.Object["data"]?["Webhooks__PublicBaseUrl"] is null)
            {
                yield return $"{c}: {overlay}: no Webhooks__PublicBaseUrl for {channel.Service} (the overlay's configMapGenerator)";
            }
            var autoscaler = overlay == "overlays/dev" ? null : overlay == "overlays/prod-hpa" ? "HorizontalPodAutoscaler" : "ScaledObject";
            if (autoscaler is not null && !objects.Any(m => m.Kind == autoscaler && m["spec.scaleTargetRef.name"]?.GetValue<string>() == channel.Service))
            {
                yield return $"{c}: {overlay}: no {autoscaler} for {channel.Service} (components/{(autoscaler == "ScaledObject" ? "keda" : "hpa")})";
            }
            if (!objects.Any(m => m.Kind is "HTTPRoute" or "Ingress" && m.Object.ToJsonString().Contains($"\"/webhooks/{c}\"", StringComparison.Ordinal)))
            {
                yield return $"{c}: {overlay}: /webhooks/{c} routed nowhere (base/routes.yaml, components/ingress-nginx)";
            }
        }
        var definitions = BrokerTopology.Definitions(root);
        if (definitions["permissions"]!.AsArray().All(p => p!["user"]!.GetValue<string>() != channel.Service))
        {
            yield return $"{c}: deploy/rabbitmq/definitions.json (a permission for the broker user {channel.Service}; then ROUTING_WRITE_TOPOLOGY=1)";
        }
        if (!Read("deploy/compose.yaml").Contains($"\n  {channel.Service}:\n", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/compose.yaml (a service {channel.Service})";
        }
        if (!Read("deploy/README.md").Contains($"| {channel.Service} | `{channel.Project}` | `{channel.Assembly}` |", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/README.md (the images table: {channel.Service})";
        }
        if (!Read("deploy/README.md").Contains($"`{channel.Service}-credentials`", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/README.md (the Secrets table: {channel.Service}-credentials)";
        }
        if (!Read("deploy/images/Dockerfile").Contains($"COPY {channel.Folder}/*.csproj {channel.Folder}/", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/images/Dockerfile (the restore layer: COPY {channel.Folder}/*.csproj)";
        }
        if (!Read("deploy/k8s/base/rabbitmq-topology.yaml").Contains($"name: {channel.Service}\n", StringComparison.Ordinal))
        {
            yield return $"{c}: deploy/k8s/base/rabbitmq-topology.yaml (generated from the definitions)";
        }
    }
}
