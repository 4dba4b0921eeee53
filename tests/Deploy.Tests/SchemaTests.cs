using k8s;

namespace Routing.Deploy.Tests;

[Collection(RenderedManifestsCollection.Name)]
public sealed class SchemaTests(RenderedManifests rendered)
{
    public static TheoryData<string> Sources => new(RenderedManifests.Sources);

    /// <summary>The overlays: the infrastructure examples are operators' kinds only, checked against their CRDs above.</summary>
    public static TheoryData<string> Overlays => new(RenderedManifests.Sources.Where(s => s.StartsWith("overlays/", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Sources))]
    public void Should_validate_every_rendered_object_against_its_schema(string source)
    {
        var objects = rendered.From(source);
        Assert.NotEmpty(objects);
        var errors = objects.Where(m => m.SchemaErrors.Count > 0).Select(m => $"{m}: {string.Join("; ", m.SchemaErrors)}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Should_load_every_Kubernetes_object_strictly_into_the_API_types(string source)
    {
        // Unknown fields (a misspelt readinessProbe) are an error here, as with kubectl apply --validate=strict.
        var builtIn = rendered.From(source).Where(IsKubernetesKind).ToList();
        foreach (var manifest in builtIn)
        {
            var loaded = Assert.Single(KubernetesYaml.LoadAllFromString(manifest.Object.ToJsonString(), typeMap: null, strict: true));
            Assert.Equal(manifest.Kind, loaded.GetType().Name[2..]);
        }
        Assert.NotEmpty(builtIn);
    }

    [Fact]
    public void Should_reject_objects_that_break_their_schema()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Samples", "broken-objects.yaml");
        var objects = RenderedManifests.Validate([file], _ => "broken");

        Assert.Collection(objects,
            cluster => Assert.Equal(["/spec must NOT have additional properties: persistance", "/spec/replicas must be integer"], cluster.SchemaErrors.Order()),
            scaled => Assert.Contains("must have required property scaleTargetRef", Assert.Single(scaled.SchemaErrors)),
            deployment => Assert.Contains("containerPort must be integer", Assert.Single(deployment.SchemaErrors)),
            unknown => Assert.Equal("no schema for example.com/v1 Widget", Assert.Single(unknown.SchemaErrors)));
    }

    [Fact]
    public void Should_reject_unknown_fields_when_loading_strictly()
    {
        var deployment = rendered.From("overlays/prod").First(m => m.Kind == "Deployment");
        var misspelt = deployment.Object.ToJsonString().Replace("\"readinessProbe\"", "\"readinesProbe\"", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, typeMap: null, strict: true));
    }

    // The Kubernetes API's own kinds (the client's types); the Gateway API's are custom resources, checked by their CRD schemas.
    private static bool IsKubernetesKind(Manifest m) =>
        !m.ApiVersion.Contains('/', StringComparison.Ordinal) || !m.ApiVersion.Split('/')[0].Contains('.', StringComparison.Ordinal)
        || (m.ApiVersion.Split('/')[0].EndsWith(".k8s.io", StringComparison.Ordinal) && !m.ApiVersion.StartsWith("gateway.networking.k8s.io/", StringComparison.Ordinal));
}
