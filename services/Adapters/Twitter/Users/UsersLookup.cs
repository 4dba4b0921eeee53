using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Profiles;
using Routing.Adapters.Twitter.AccountActivity;
using Routing.Contracts;

namespace Routing.Adapters.Twitter.Users;

/// <summary>
/// X API v2's user lookup (GET /2/users/{id}?user.fields=profile_image_url), as the account the customer wrote to (OAuth
/// 1.0a user context, signed per attempt): the person's name, @username and picture, also when a webhook's users map did
/// not carry them. X answers an unknown or suspended user 200 with errors (not found); 401 and 403 are refused; a 429 waits
/// for x-rate-limit-reset in the client's retry.
/// </summary>
internal sealed class UsersLookup(HttpClient http, IOptions<TwitterOptions> options) : IProfileSource
{
    public string Channel => Channels.Twitter;

    public async Task<ProfileAnswer> LookUpAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.Accounts.TryGetValue(message.ChannelAccount, out var account) || string.IsNullOrEmpty(account.AccessToken))
        {
            return ProfileAnswer.NotConfigured($"No Twitter:Accounts:{message.ChannelAccount} access token and secret.");
        }
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{config.ApiBaseUrl.TrimEnd('/')}/2/users/{Uri.EscapeDataString(message.Sender.Value)}?user.fields=profile_image_url");
        request.Options.Set(OAuth1SigningHandler.Account, account);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"X answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
        if (!response.IsSuccessStatusCode)
        {
            return ProfileAnswer.Refused($"X answered {(int)response.StatusCode}.");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        }
        catch (JsonException)
        {
            return ProfileAnswer.NotFound("X answered 200 with no JSON.");
        }
        if (!body.TryGetProperty("data", out var user) || user.ValueKind != JsonValueKind.Object)
        {
            var title = body.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].TryGetProperty("title", out var t) ? t.GetString() : null;
            return ProfileAnswer.NotFound($"X has no such user ({title ?? "no data"}).");
        }
        return ProfileAnswer.Found(new CustomerProfile(String(user, "name"), String(user, "username"), String(user, "profile_image_url"), null));
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim() : null;
}
