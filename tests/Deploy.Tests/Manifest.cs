using System.Text.Json.Nodes;

namespace Routing.Deploy.Tests;

/// <summary>One rendered object: where it came from, what it is, and what its schema said about it.</summary>
internal sealed record Manifest(string Source, string ApiVersion, string Kind, string Name, JsonObject Object, IReadOnlyList<string> SchemaErrors)
{
    public JsonNode? this[string path] => Path(Object, path);

    public string? Label(string key) => Object["metadata"]?["labels"]?[key]?.GetValue<string>();

    public override string ToString() => $"{Source}: {Kind}/{Name}";

    /// <summary>A dotted path ("spec.template.spec"); numbers index arrays.</summary>
    public static JsonNode? Path(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }
        return node;
    }
}
