using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Routing.Adapters.Outbound;

namespace Routing.Adapters.Meta;

/// <summary>
/// Meta's Graph API, as Messenger's Send API and the WhatsApp Cloud API use it: JSON POSTs with a bearer
/// token (kept out of URLs and so out of logs), errors as {"error": {"message", "type", "code",
/// "error_subcode", "fbtrace_id"}} (https://developers.facebook.com/docs/graph-api/guides/error-handling).
/// </summary>
public static class GraphApi
{
    /// <summary>Graph-wide codes where a later attempt can succeed: unknown and unavailable, and the call-rate limits.</summary>
    private static readonly HashSet<int> TransientCodes = [1, 2, 4, 17, 32, 341, 613];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A Graph-wide error code after which a later attempt can succeed (Meta answers its rate limits with 400 and codes 4, 17, 32, 613).</summary>
    public static bool IsTransient(int code) => TransientCodes.Contains(code);

    public static async Task<GraphResult> PostAsync(HttpClient http, string url, string accessToken, object payload, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(payload, payload.GetType(), options: Json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, ct);
        return GraphResult.Read((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>A GET of a Graph node (a person's profile, a media object), with the token in the Authorization header.</summary>
    public static async Task<GraphResult> GetAsync(HttpClient http, string url, string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, ct);
        return GraphResult.Read((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>
    /// The send's outcome: the message id <paramref name="messageId"/> reads from a successful body, or Meta's
    /// error, permanent unless the HTTP status, a Graph-wide code or one of the channel's codes says a retry can help.
    /// </summary>
    public static SendOutcome Outcome(GraphResult result, Func<JsonElement, string?> messageId, IReadOnlySet<int> channelTransientCodes)
    {
        if (result.Succeeded)
        {
            return result.Body is { ValueKind: JsonValueKind.Object } body && messageId(body) is { Length: > 0 } id
                ? SendOutcome.Sent(id)
                : SendOutcome.Failed("unexpected-response", $"The Graph API answered {result.HttpStatus} without a message id.", permanent: false);
        }
        var transient = result.Code is { } code && (TransientCodes.Contains(code) || channelTransientCodes.Contains(code));
        var errorCode = result.Code?.ToString(CultureInfo.InvariantCulture) ?? result.HttpStatus.ToString(CultureInfo.InvariantCulture);
        return SendOutcome.ForError(result.HttpStatus, errorCode, result.Message ?? $"Graph API answered {result.HttpStatus}.", permanent: !transient);
    }
}

/// <summary>One Graph API answer: the body when it succeeded, otherwise Meta's error code, subcode and message.</summary>
public sealed record GraphResult(int HttpStatus, JsonElement? Body, int? Code, int? Subcode, string? Message)
{
    public bool Succeeded => HttpStatus is >= 200 and < 300 && Code is null;

    public static GraphResult Read(int status, string text)
    {
        JsonElement? body = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A proxy's HTML page or an empty body: judged by the HTTP status alone.
        }
        if (body is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return new GraphResult(status, body, Int(error, "code"), Int(error, "error_subcode"),
                error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null);
        }
        return new GraphResult(status, body, status is >= 200 and < 300 ? null : status, null, null);
    }

    private static int? Int(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
