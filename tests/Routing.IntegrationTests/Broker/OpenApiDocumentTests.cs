using System.Net;
using System.Text.Json.Nodes;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Routing's OpenAPI document: generated from the endpoints, served behind a token, naming every route of the API and
/// nothing else, and committed as contracts/openapi/routing.json for integrators (<see cref="OpenApiDocuments"/>).
/// </summary>
public sealed class OpenApiDocumentTests : InfrastructureTest
{
    [Fact]
    public async Task Should_describe_every_route_and_match_the_committed_document()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url);
        using var api = app.CreateClient();

        var served = JsonNode.Parse(await api.GetStringAsync("/openapi/routing.json"))!;

        // the health endpoints, and the supervisors' console: HTML pages and forms for a browser, not part of the API
        var routes = OpenApiDocuments.Routes(app.Services, raw => !raw.StartsWith("/health", StringComparison.Ordinal)
                                                                  && !raw.StartsWith("/console", StringComparison.Ordinal));
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");
        OpenApiDocuments.AssertDescribes(served, routes);
        Assert.Equal("Routing: operators' API", served["info"]?["title"]?.GetValue<string>());
        await OpenApiDocuments.AssertCommittedAsync(served, "routing.json");
        using var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;
        await OpenApiDocuments.AssertAnonymousRefusedAsync(anonymous, served);
    }

    [Fact]
    public async Task Should_answer_what_the_document_says_it_answers()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url);
        using var api = app.CreateClient();
        var served = JsonNode.Parse(await api.GetStringAsync("/openapi/routing.json"))!;
        var agent = $"openapi-{Guid.NewGuid():N}"[..20];
        var unknown = Guid.NewGuid();

        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "post", "/agents", "/agents",
            new { id = agent, name = "Ada", capacity = 2, channels = new[] { "sms" } }, HttpStatusCode.Created);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "post", "/agents", "/agents",
            new { id = agent, name = "Ada", capacity = 2, channels = new[] { "sms" } }, HttpStatusCode.Conflict);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/agents", "/agents", expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/agents/{id}", $"/agents/{agent}", expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "put", "/agents/{id}/presence", $"/agents/{agent}/presence",
            new { status = "available" }, HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/agents/{id}", "/agents/nobody-here", expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/customers/{id}", $"/customers/{unknown}", expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/conversations", "/conversations", expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/conversations/{id}", $"/conversations/{unknown}", expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "post", "/conversations/{id}/close", $"/conversations/{unknown}/close",
            expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(api, served, "get", "/queue", "/queue", expected: HttpStatusCode.OK);
    }

    [Fact]
    public async Task Should_serve_the_document_only_to_a_caller_with_a_token()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url);
        using var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;

        var response = await anonymous.GetAsync("/openapi/routing.json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
