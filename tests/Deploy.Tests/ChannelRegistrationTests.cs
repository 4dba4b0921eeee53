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

    [Fact]
    public void Should_find_every_channel_everywhere_it_must_be()
    {
        var gaps = Channel.All.SelectMany(Gaps).ToList();

        Assert.True(gaps.Count == 0, "a channel of deploy/channels.tsv is missing from:\n" + string.Join('\n', gaps));
    }

    [Fact]
    public void Should_name_each_edit_a_new_channel_still_needs()
    {
        var viber = new Channel("viber", "services/Adapters/Viber", "Routing.Adapters.Viber", 5199);

        var gaps = Gaps(viber).ToList();

        string[] expected = ["Routing.sln", "deploy/k8s/base/kustomization.yaml", "deploy/k8s/base/adapters/viber/", "overlays/prod: no Deployment",
            "overlays/prod: no ScaledObject", "overlays/prod-hpa: no HorizontalPodAutoscaler", "/webhooks/viber", "overlays/dev: no Deployment",
            "Webhooks__PublicBaseUrl", "deploy/rabbitmq/definitions.json", "deploy/compose.yaml", "deploy/README.md"];
        Assert.All(expected, edit => Assert.Contains(gaps, gap => gap.Contains(edit, StringComparison.Ordinal)));
    }

    private IEnumerable<string> Gaps(Channel channel)
    {
        string Read(string path) => File.ReadAllText(Path.Combine(Tool.RepositoryRoot, path));
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
            if (!File.Exists(Path.Combine(Tool.RepositoryRoot, "deploy", "k8s", "base", "adapters", c, file)))
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
        var definitions = BrokerTopology.Definitions();
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
    }
}
