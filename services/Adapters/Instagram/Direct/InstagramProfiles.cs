using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Profiles;
using Routing.Contracts;

namespace Routing.Adapters.Instagram.Direct;

/// <summary>
/// Instagram's User Profile API (https://developers.facebook.com/docs/messenger-platform/instagram/features/user-profile):
/// the person's name, username and picture by their Instagram-scoped ID, with the account's token. Someone without a name
/// on Instagram is named by their username.
/// </summary>
internal sealed class InstagramProfiles(HttpClient http, IOptions<InstagramOptions> options) : IProfileSource
{
    public string Channel => Channels.Instagram;

    public Task<ProfileAnswer> LookUpAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var config = options.Value;
        return UserProfiles.LookUpAsync(http,
            new UserProfileSource("Instagram:AccessTokens", config.AccessTokens, config.GraphApiBaseUrl, config.GraphApiVersion, config.ProfileFields),
            message, body =>
            {
                var username = UserProfiles.String(body, "username");
                return new CustomerProfile(UserProfiles.String(body, "name") ?? username, username, UserProfiles.String(body, "profile_pic"), null);
            }, ct);
    }
}
