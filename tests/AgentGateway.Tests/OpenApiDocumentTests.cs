using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Routing.Adapters.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The gateway's two OpenAPI documents, generated from its endpoints: the agents' API (served to an agent) and the admin API
/// (served to the admin token), each naming every route of its API and nothing else, committed under contracts/openapi/.
/// </summary>
public sealed class OpenApiDocumentTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private static bool IsAgentApi(string route) => route.StartsWith("/me", StringComparison.Ordinal) || route.StartsWith("/conversations", StringComparison.Ordinal)
        || route.StartsWith("/transfers", StringComparison.Ordinal) || (route.StartsWith("/attachments", StringComparison.Ordinal) && !route.EndsWith("/open", StringComparison.Ordinal));

    [Fact]
    public async Task Should_describe_the_agents_api_to_an_agent()
    {
        var agent = await gateway.AgentAsync();

        var served = JsonNode.Parse(await agent.Http.GetStringAsync("/openapi/agent.json"))!;

        var routes = OpenApiDocuments.Routes(gateway.Services, IsAgentApi);
        Assert.True(routes.Count >= 8, $"only {routes.Count} routes found");
        OpenApiDocuments.AssertDescribes(served, routes);
        Assert.Equal("Agent gateway: agents' API", served["info"]?["title"]?.GetValue<string>());
        await OpenApiDocuments.AssertCommittedAsync(served, "gateway-agent.json");
        using var anonymous = gateway.Anonymous();
        await OpenApiDocuments.AssertAnonymousRefusedAsync(anonymous, served);
    }

    [Fact]
    public async Task Should_describe_the_admin_api_to_the_admin()
    {
        var served = JsonNode.Parse(await gateway.Admin.GetStringAsync("/openapi/admin.json"))!;

        var routes = OpenApiDocuments.Routes(gateway.Services, route => route.StartsWith("/admin", StringComparison.Ordinal));
        Assert.True(routes.Count >= 10, $"only {routes.Count} routes found");
        OpenApiDocuments.AssertDescribes(served, routes);
        Assert.Equal("Agent gateway: admin API", served["info"]?["title"]?.GetValue<string>());
        await OpenApiDocuments.AssertCommittedAsync(served, "gateway-admin.json");
        using var anonymous = gateway.Anonymous();
        await OpenApiDocuments.AssertAnonymousRefusedAsync(anonymous, served);
    }

    [Fact]
    public async Task Should_answer_what_the_documents_say_they_answer()
    {
        var agent = await gateway.AgentAsync();
        var agentApi = JsonNode.Parse(await agent.Http.GetStringAsync("/openapi/agent.json"))!;
        var adminApi = JsonNode.Parse(await gateway.Admin.GetStringAsync("/openapi/admin.json"))!;
        var unknown = Guid.NewGuid();

        var me = await OpenApiDocuments.AssertAnswerDocumentedAsync(agent.Http, agentApi, "get", "/me", "/me", expected: HttpStatusCode.OK);
        Assert.Equal(agent.AgentId, me!["agentId"]!.GetValue<string>());
        await OpenApiDocuments.AssertAnswerDocumentedAsync(agent.Http, agentApi, "get", "/me/conversations", "/me/conversations", expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(agent.Http, agentApi, "get", "/conversations/{id}", $"/conversations/{unknown}",
            expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(agent.Http, agentApi, "post", "/conversations/{id}/accept", $"/conversations/{unknown}/accept",
            expected: HttpStatusCode.NotFound);

        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "post", "/admin/agents/{agentId}/email-targets",
            $"/admin/agents/{agent.AgentId}/email-targets", new { address = "ada@example.com" }, HttpStatusCode.Created);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "get", "/admin/agents/{agentId}/targets",
            $"/admin/agents/{agent.AgentId}/targets", expected: HttpStatusCode.OK);
        var token = await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "post", "/admin/agents/{agentId}/tokens",
            $"/admin/agents/{agent.AgentId}/tokens", new { expiresInDays = 1 }, HttpStatusCode.Created);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "get", "/admin/agents/{agentId}/tokens",
            $"/admin/agents/{agent.AgentId}/tokens", expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "delete", "/admin/tokens/{id}", $"/admin/tokens/{token!["id"]}",
            expected: HttpStatusCode.NoContent);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "delete", "/admin/targets/{id}", $"/admin/targets/{unknown}",
            expected: HttpStatusCode.NotFound);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "get", "/admin/webhook-deliveries", "/admin/webhook-deliveries?status=exhausted",
            expected: HttpStatusCode.OK);
        await OpenApiDocuments.AssertAnswerDocumentedAsync(gateway.Admin, adminApi, "post", "/admin/webhook-deliveries/{id}/replay",
            $"/admin/webhook-deliveries/{unknown}/replay", expected: HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/openapi/agent.json", null, HttpStatusCode.Unauthorized)]
    [InlineData("/openapi/agent.json", "admin", HttpStatusCode.Unauthorized)] // the admin token is no agent's
    [InlineData("/openapi/admin.json", null, HttpStatusCode.Unauthorized)]
    [InlineData("/openapi/admin.json", "agent", HttpStatusCode.Forbidden)]
    [InlineData("/openapi/routing.json", "admin", HttpStatusCode.NotFound)] // only the gateway's own documents
    public async Task Should_serve_each_document_to_the_callers_of_its_api_only(string path, string? caller, HttpStatusCode expected)
    {
        using var client = gateway.Anonymous();
        var token = caller switch
        {
            "admin" => GatewayHost.AdminToken,
            "agent" => (await gateway.AgentAsync()).Http.DefaultRequestHeaders.Authorization!.Parameter,
            _ => null,
        };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.NotFound)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
