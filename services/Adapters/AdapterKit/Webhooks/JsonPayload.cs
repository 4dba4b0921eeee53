using System.Text.Json;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// Reading a provider's JSON webhook: anything missing or of the wrong kind where the channel needs it
/// becomes a <see cref="MalformedWebhookException"/> naming the field by its path, so the 400 says where.
/// </summary>
public static class JsonPayload
{
    /// <summary>
    /// A key twice in one object is refused: the signature covers the bytes, and two readers of them (ours, a proxy's,
    /// an auditor's) could each take a different value.
    /// </summary>
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonDocument Parse(byte[] body) => Parse(body, "body");

    /// <summary>JSON carried in a field of a form (Mailgun's message-headers, SendGrid's envelope): refused naming the field.</summary>
    public static JsonDocument Parse(string json, string field) => Parse(System.Text.Encoding.UTF8.GetBytes(json), field);

    private static JsonDocument Parse(byte[] body, string field)
    {
        // JSON is UTF-8, and the parser checks only its structure: invalid bytes inside a string would throw at GetString, later.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new MalformedWebhookException(field, "is not UTF-8");
        }
        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            throw new MalformedWebhookException(field, $"is not JSON: {ex.Message}");
        }
    }

    /// <summary>The array <paramref name="property"/>, which the channel requires.</summary>
    public static IReadOnlyList<JsonElement> Array(JsonElement element, string property, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToList() : throw new MalformedWebhookException(path, "must be an array");

    /// <summary>The array <paramref name="property"/>, or nothing when it is absent.</summary>
    public static IReadOnlyList<JsonElement> Optional(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToList() : [];

    public static JsonElement? Object(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? value : null;

    public static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    public static string RequiredString(JsonElement element, string property, string path) =>
        String(element, property) is { } value && !string.IsNullOrWhiteSpace(value) ? value : throw new MalformedWebhookException($"{path}.{property}", "is required");

    /// <summary>A number as written (no float round trip), or null.</summary>
    public static string? Number(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetRawText() : null;

    /// <summary>A string or a number, as text: providers write ids and codes either way.</summary>
    public static string? Scalar(JsonElement element, string property) => String(element, property) ?? Number(element, property);

    public static bool Bool(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;
}
