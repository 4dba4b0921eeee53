using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Routing's API was open to anyone who reached port 5080 (customers' addresses, merging, closing, agents' capacity).
/// Every route now takes an operator token; a read token reads, only an admin token changes anything.
/// </summary>
public sealed class OperatorAccessTests : BrokerTest
{
    private HttpClient Caller(string? token)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string challenge)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/agents" },
        { "GET", "/queue" },
        { "GET", $"/conversations/{Guid.NewGuid()}" },
        { "GET", "/customers/lookup?kind=email&value=ada%40example.com" },
        { "GET", "/reports/service-levels?from=yesterday" },
        { "POST", "/agents" },
        { "PUT", "/agents/anna/presence" },
        { "PUT", $"/customers/{Guid.NewGuid()}/preferred-agents" },
        { "POST", $"/customers/{Guid.NewGuid()}/merge" },
        { "POST", $"/conversations/{Guid.NewGuid()}/close" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Should_answer_401_without_a_token_before_looking_at_the_request(string method, string path)
    {
        using var anonymous = Caller(null);
        // a body that would be a 400: the caller without a token must not learn what the API accepts
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{\"id\": ", Encoding.UTF8, "application/json") };

        var problem = await ProblemAsync(await anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "Bearer realm=\"routing\"");

        Assert.Equal("Operator token required", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("Bearer not-a-token-of-routing-0123456789")]
    [InlineData("Bearer ")]
    [InlineData("Bearer " + RoutingApp.AdminToken + "x")]
    [InlineData("Basic dGVzdHM6" )]
    public async Task Should_refuse_a_token_it_does_not_know(string authorization)
    {
        using var caller = App.CreateClient();
        caller.DefaultRequestHeaders.Remove("Authorization");
        caller.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        var response = await caller.GetAsync("/agents");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(RoutingApp.AdminToken, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_let_a_read_token_read_and_refuse_it_every_change()
    {
        await CreateAgentAsync("anna", 1, ["sms"]);
        using var reader = Caller(RoutingApp.ReadToken);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/agents/anna")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/queue")).StatusCode);
        const string insufficient = "Bearer realm=\"routing\", error=\"insufficient_scope\", scope=\"admin\"";
        await ProblemAsync(await reader.PutAsJsonAsync("/agents/anna/presence", new { status = "offline" }), HttpStatusCode.Forbidden, insufficient);
        await ProblemAsync(await reader.PostAsJsonAsync("/agents", new { id = "bob", name = "Bob", capacity = 1, channels = new[] { "sms" } }),
            HttpStatusCode.Forbidden, insufficient);
        await ProblemAsync(await reader.PostAsync($"/conversations/{Guid.NewGuid()}/close", null), HttpStatusCode.Forbidden, insufficient);

        var anna = await Api.GetFromJsonAsync<JsonElement>("/agents/anna");
        Assert.Equal("available", anna.GetProperty("presence").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/agents/bob")).StatusCode);
    }

    [Fact]
    public async Task Should_keep_the_health_endpoints_open_for_the_kubelet()
    {
        using var anonymous = Caller(null);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
    }

    /// <summary>Nothing was rate limited (issue 16): a runaway script could hold the API and the database.</summary>
    [Fact]
    public async Task Should_answer_429_with_retry_after_to_a_caller_over_its_limit_and_not_to_others()
    {
        await using var app = StartApp(new Dictionary<string, string?>
        {
            ["RateLimit:PerCaller:PerSecond"] = "1",
            ["RateLimit:PerCaller:Burst"] = "2",
        });
        using var admin = app.CreateClient();
        await WaitReadyAsync(admin);
        using var reader = app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RoutingApp.ReadToken);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await admin.GetAsync("/agents"));
        }
        using var other = await reader.GetAsync("/agents");

        var limited = answers.Last();
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health/ready")).StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Theory]
    [InlineData("short-token", "Admin")]
    [InlineData(RoutingApp.ReadToken, "Admin")]
    public async Task Should_refuse_to_start_with_a_weak_or_shared_token(string token, string scope)
    {
        await using var app = StartApp(new Dictionary<string, string?>
        {
            ["Routing:Api:Tokens:script:Token"] = token,
            ["Routing:Api:Tokens:script:Scope"] = scope,
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.IsType<OptionsValidationException>(error is AggregateException { InnerException: { } inner } ? inner : error);
    }
}
