using System.Text.Json;

namespace Routing.Testing;

/// <summary>Every string in a JSON document, however deep (Slack's blocks nest the text a test looks for).</summary>
public static class JsonStrings
{
    public static IEnumerable<string> Of(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Of(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Of),
        _ => [],
    };
}
