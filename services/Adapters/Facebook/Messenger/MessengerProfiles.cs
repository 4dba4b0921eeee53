using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Profiles;
using Routing.Contracts;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>
/// Messenger's User Profile API (https://developers.facebook.com/docs/messenger-platform/identity/user-profile): the
/// person's name and picture by their Page-scoped ID, with the Page's token; locale and others where Facebook:ProfileFields
/// asks for them (they need their own permissions).
/// </summary>
internal sealed class MessengerProfiles(HttpClient http, IOptions<MessengerOptions> options) : IProfileSource
{
    public string Channel => Channels.Facebook;

    public Task<ProfileAnswer> LookUpAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var config = options.Value;
        return UserProfiles.LookUpAsync(http,
            new UserProfileSource("Facebook:PageAccessTokens", config.PageAccessTokens, config.GraphApiBaseUrl, config.GraphApiVersion, config.ProfileFields),
            message, body => new CustomerProfile(Name(body), null, UserProfiles.String(body, "profile_pic"), UserProfiles.String(body, "locale")), ct);
    }

    /// <summary>The name, or the first and last names Messenger gives by default.</summary>
    private static string? Name(System.Text.Json.JsonElement body)
    {
        var parts = new[] { UserProfiles.String(body, "first_name"), UserProfiles.String(body, "last_name") }.OfType<string>().ToList();
        return UserProfiles.String(body, "name") ?? (parts.Count > 0 ? string.Join(' ', parts) : null);
    }
}
