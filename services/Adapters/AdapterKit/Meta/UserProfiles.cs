using System.Net;
using System.Text.Json;
using Routing.Adapters.Profiles;
using Routing.Contracts;

namespace Routing.Adapters.Meta;

/// <summary>
/// Where a product's user profiles are asked for: the Graph API's base and version, the fields, and the access tokens by
/// the Page or account the person wrote to (<paramref name="TokensSetting"/> names them when one is missing).
/// </summary>
public sealed record UserProfileSource(string TokensSetting, IReadOnlyDictionary<string, string> Tokens, string GraphApiBaseUrl, string GraphApiVersion,
    string Fields);

/// <summary>
/// Meta's user profile for Messenger and Instagram messaging (GET /{version}/{PSID or IGSID}?fields=...), with the token of
/// the Page or account the person wrote to, in the Authorization header (out of the URL, so out of logs). Meta answers a rate
/// limit with 400 and a Graph-wide code: that is a failure tried again later, like a 5xx after the client's retries. An
/// unknown person or field (code 100) is not found; a token or permission Meta refuses (190, 10, 200-299) is refused.
/// </summary>
public static class UserProfiles
{
    public static async Task<ProfileAnswer> LookUpAsync(HttpClient http, UserProfileSource source, InboundMessageReceived message,
        Func<JsonElement, CustomerProfile> read, CancellationToken ct)
    {
        if (!source.Tokens.TryGetValue(message.ChannelAccount, out var token) || string.IsNullOrEmpty(token))
        {
            return ProfileAnswer.NotConfigured($"No {source.TokensSetting}:{message.ChannelAccount}.");
        }
        var url = $"{source.GraphApiBaseUrl.TrimEnd('/')}/{source.GraphApiVersion}/{Uri.EscapeDataString(message.Sender.Value)}?fields={Uri.EscapeDataString(source.Fields)}";
        var result = await GraphApi.GetAsync(http, url, token, ct);
        if (result.Succeeded)
        {
            return result.Body is { ValueKind: JsonValueKind.Object } body ? ProfileAnswer.Found(read(body)) : ProfileAnswer.NotFound("Meta answered without a profile.");
        }
        var problem = $"Meta answered {result.HttpStatus}, code {result.Code}/{result.Subcode}: {result.Message}";
        if (result.HttpStatus is 429 or >= 500 || result.Code is { } code && GraphApi.IsTransient(code))
        {
            throw new HttpRequestException(problem, null, (HttpStatusCode)result.HttpStatus);
        }
        return result.Code is 100 or 803 ? ProfileAnswer.NotFound(problem) : ProfileAnswer.Refused(problem);
    }

    /// <summary>A string property, null when absent or blank.</summary>
    public static string? String(JsonElement body, string property) =>
        body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim() : null;
}
