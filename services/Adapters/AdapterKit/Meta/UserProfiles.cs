using System.Net.Http.Headers;
using System.Text.Json;
using Routing.Adapters.Profiles;

namespace Routing.Adapters.Meta;

/// <summary>
/// Meta's user profile for Messenger and Instagram messaging (GET /{version}/{PSID or IGSID}?fields=...), with the token of
/// the Page or account the person wrote to, in the Authorization header (out of the URL, so out of logs). Meta answers a rate
/// limit with 400 and a Graph-wide code: that is a failure tried again later, like a 5xx after the client's retries. An
/// unknown person or field (code 100) is not found; a token or permission Meta refuses (190, 10, 200-299) is refused.
/// </summary>
public static class UserProfiles
{
    public static async Task<ProfileAnswer> LookUpAsync(HttpClient http, string url, string accessToken, Func<JsonElement, CustomerProfile> read, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, ct);
        var result = GraphResult.Read((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        if (result.Succeeded)
        {
            return result.Body is { ValueKind: JsonValueKind.Object } body ? ProfileAnswer.Found(read(body)) : ProfileAnswer.NotFound("Meta answered without a profile.");
        }
        var problem = $"Meta answered {result.HttpStatus}, code {result.Code}/{result.Subcode}: {result.Message}";
        if (result.HttpStatus is 429 or >= 500 || result.Code is { } code && GraphApi.IsTransient(code))
        {
            throw new HttpRequestException(problem, null, response.StatusCode);
        }
        return result.Code is 100 or 803 ? ProfileAnswer.NotFound(problem) : ProfileAnswer.Refused(problem);
    }

    /// <summary>A string property, null when absent or blank.</summary>
    public static string? String(JsonElement body, string property) =>
        body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim() : null;
}
