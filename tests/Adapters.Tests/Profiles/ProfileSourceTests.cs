using Adapters.Tests.Facebook;
using Adapters.Tests.Instagram;
using Adapters.Tests.Meta;
using Adapters.Tests.Twitter;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Instagram.Direct;
using Routing.Adapters.Profiles;
using Routing.Adapters.Testing;
using Routing.Adapters.Twitter;
using Routing.Contracts;

namespace Adapters.Tests.Profiles;

/// <summary>
/// Each channel's profile lookup with its real HTTP pipeline against a local imitation of the provider's API: what it asks,
/// with which credentials, what it reads from the answer, and how it takes refusals, unknown people and rate limits.
/// </summary>
public sealed class ProfileSourceTests : IAsyncLifetime
{
    private ProviderApiImitation _meta = null!;
    private ProviderApiImitation _x = null!;

    public async Task InitializeAsync()
    {
        _meta = await ProviderApiImitation.StartAsync(["/{version}/{id}"], Person(new { first_name = "Peter", last_name = "Chang", profile_pic = "https://scontent.example/peter.jpg" }), "GET");
        _x = await ProviderApiImitation.StartAsync(["/2/users/{id}"], ProviderApiImitation.Json(200, new
        {
            data = new { id = TwitterCases.Customer, name = "Jordan Brinks", username = "furiouscamper", profile_image_url = "https://pbs.twimg.com/profile_images/1/j_normal.jpg" },
        }), "GET");
    }

    public async Task DisposeAsync()
    {
        await _meta.DisposeAsync();
        await _x.DisposeAsync();
    }

    [Fact]
    public async Task Should_ask_messengers_user_profile_with_the_pages_token_and_join_the_first_and_last_names()
    {
        await using var services = Messenger();

        var answer = await LookUpAsync(services, "facebook", MessengerCases.Page, MessengerCases.Psid);

        Assert.Equal(new CustomerProfile("Peter Chang", null, "https://scontent.example/peter.jpg", null), answer.Profile);
        var request = Assert.Single(_meta.Requests);
        Assert.Equal(($"/v23.0/{MessengerCases.Psid}", "?fields=first_name%2Clast_name%2Cprofile_pic", "Bearer dev-page-token"),
            (request.Path, request.Query, request.Authorization));
    }

    [Fact]
    public async Task Should_name_an_instagram_customer_by_their_username_when_they_have_no_name()
    {
        _meta.Then(Person(new { username = "nina.ferri", profile_pic = "https://scontent.example/nina.jpg" }));
        await using var services = SenderServices.Build(Settings(("Instagram:AppSecret", "s"), ("Instagram:VerifyToken", "v"),
            ($"Instagram:AccessTokens:{InstagramCases.Account}", "dev-instagram-page-token"), ("Instagram:GraphApiBaseUrl", _meta.BaseUrl)), s =>
        {
            s.AddOptions<InstagramOptions>().BindConfiguration(InstagramOptions.Section);
            s.AddProfileSource<InstagramProfiles>();
        });

        var answer = await LookUpAsync(services, "instagram", InstagramCases.Account, InstagramCases.Igsid);

        Assert.Equal(new CustomerProfile("nina.ferri", "nina.ferri", "https://scontent.example/nina.jpg", null), answer.Profile);
        var request = Assert.Single(_meta.Requests);
        Assert.Equal(("?fields=name%2Cusername%2Cprofile_pic", "Bearer dev-instagram-page-token"), (request.Query, request.Authorization));
    }

    [Theory]
    [InlineData(190, null, "refused")]
    [InlineData(200, null, "refused")]
    [InlineData(100, 33, "not-found")]
    public async Task Should_take_metas_refusals_as_answers_that_name_nobody(int code, int? subcode, string outcome)
    {
        _meta.Then(GraphApiImitation.Error(400, code, "refused for the test", subcode));
        await using var services = Messenger();

        var answer = await LookUpAsync(services, "facebook", MessengerCases.Page, MessengerCases.Psid);

        Assert.Equal((null, outcome), (answer.Profile, answer.Outcome));
        Assert.Contains($"code {code}", answer.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_wait_out_a_429_and_fail_on_metas_rate_limit_code_for_a_later_try()
    {
        _meta.Then(ProviderApiImitation.Json(429, new { }, retryAfter: "0"), Person(new { first_name = "Peter" }));
        await using var services = Messenger();

        var answer = await LookUpAsync(services, "facebook", MessengerCases.Page, MessengerCases.Psid);
        _meta.Then(GraphApiImitation.Error(400, 4, "Application request limit reached"));
        var limited = await Assert.ThrowsAsync<HttpRequestException>(() => LookUpAsync(services, "facebook", MessengerCases.Page, MessengerCases.Psid));

        Assert.Equal("Peter", answer.Profile?.Name);
        Assert.Contains("code 4", limited.Message, StringComparison.Ordinal);
        Assert.Equal(3, _meta.Requests.Count);
    }

    [Fact]
    public async Task Should_not_ask_for_an_account_it_has_no_token_for()
    {
        await using var services = Messenger();

        var answer = await LookUpAsync(services, "facebook", "another-page", MessengerCases.Psid);

        Assert.Equal("not-configured", answer.Outcome);
        Assert.Empty(_meta.Requests);
    }

    [Fact]
    public async Task Should_look_an_x_user_up_signed_as_the_account_and_take_an_unknown_user_as_not_found()
    {
        await using var services = X();

        var found = await LookUpAsync(services, "twitter", TwitterCases.Account, TwitterCases.Customer);
        _x.Then(ProviderApiImitation.Json(200, new { errors = new[] { new { title = "Not Found Error", detail = "Could not find user with id: [1]." } } }));
        var unknown = await LookUpAsync(services, "twitter", TwitterCases.Account, "1");
        _x.Then(ProviderApiImitation.Json(401, new { title = "Unauthorized" }));
        var refused = await LookUpAsync(services, "twitter", TwitterCases.Account, "2");

        Assert.Equal(new CustomerProfile("Jordan Brinks", "furiouscamper", "https://pbs.twimg.com/profile_images/1/j_normal.jpg", null), found.Profile);
        Assert.Equal(("not-found", "refused"), (unknown.Outcome, refused.Outcome));
        var request = _x.Requests.First();
        Assert.Equal(($"/2/users/{TwitterCases.Customer}", "?user.fields=profile_image_url"), (request.Path, request.Query));
        Assert.StartsWith("OAuth ", request.Authorization, StringComparison.Ordinal);
        Assert.Contains("oauth_token=\"dev-access-token\"", request.Authorization, StringComparison.Ordinal);
    }

    private ServiceProvider Messenger() => SenderServices.Build(Settings(("Facebook:AppSecret", "s"), ("Facebook:VerifyToken", "v"),
        ($"Facebook:PageAccessTokens:{MessengerCases.Page}", "dev-page-token"), ("Facebook:GraphApiBaseUrl", _meta.BaseUrl)), s =>
    {
        s.AddOptions<MessengerOptions>().BindConfiguration(MessengerOptions.Section);
        s.AddProfileSource<MessengerProfiles>();
    });

    private ServiceProvider X() => SenderServices.Build(Settings(("Twitter:ConsumerKey", "dev-consumer-key"), ("Twitter:ConsumerSecret", TwitterCases.ConsumerSecret),
        ($"Twitter:Accounts:{TwitterCases.Account}:AccessToken", "dev-access-token"), ($"Twitter:Accounts:{TwitterCases.Account}:AccessTokenSecret", "dev-access-secret"),
        ("Twitter:ApiBaseUrl", _x.BaseUrl)), s => s.AddTwitterSending());

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] settings)
    {
        var all = settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        all["Profiles:RetryBaseDelay"] = "00:00:00.050";
        return all;
    }

    private static Task<ProfileAnswer> LookUpAsync(ServiceProvider services, string channel, string account, string sender) =>
        services.GetServices<IProfileSource>().Single(s => s.Channel == channel).LookUpAsync(new InboundMessageReceived
        {
            MessageId = Guid.NewGuid(),
            Channel = channel,
            ChannelAccount = account,
            ProviderMessageId = "m1",
            Sender = new CustomerAddress { Kind = channel, Value = sender },
            ProviderTimestamp = DateTimeOffset.UtcNow,
            ReceivedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

    /// <summary>Meta's answer for the id asked about, with these fields.</summary>
    internal static Func<HttpContext, Task> Person(object fields) => context =>
    {
        var answer = System.Text.Json.JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        answer["id"] = context.Request.RouteValues["id"]!;
        return context.Response.WriteAsJsonAsync(answer);
    };
}
