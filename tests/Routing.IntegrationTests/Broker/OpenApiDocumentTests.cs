using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Routing's OpenAPI document: generated from the endpoints, served behind a token, naming every route of the API, and
/// committed as contracts/openapi/routing.json for integrators. A change to the API that the committed copy does not show
/// fails here; ROUTING_WRITE_OPENAPI=1 writes the served document over it (then review the diff).
/// </summary>
public sealed partial class OpenApiDocumentTests : InfrastructureTest
{
    [Fact]
    public async Task Should_describe_every_route_and_match_the_committed_document()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url);
        using var api = app.CreateClient();

        var served = JsonNode.Parse(await api.GetStringAsync("/openapi/routing.json"))!;

        var paths = served["paths"]!.AsObject();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/health", StringComparison.Ordinal) && !raw.Contains("openapi", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: OpenApiPath(e.RoutePattern.RawText!), Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");
        Assert.All(routes, r => Assert.True(paths[r.Path]?[r.Method] is not null, $"{r.Method} {r.Path} is not in the document"));
        Assert.Equal("Routing: operators' API", served["info"]?["title"]?.GetValue<string>());

        var committed = Path.Combine(RepositoryRoot(), "contracts", "openapi", "routing.json");
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("ROUTING_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(committed, text);
        }
        Assert.True(File.Exists(committed) && JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(committed)), served),
            "contracts/openapi/routing.json differs from the document routing serves: run this test with ROUTING_WRITE_OPENAPI=1 and review the diff");
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

    /// <summary>"/agents/{id:guid}" as OpenAPI writes it: "/agents/{id}" (and a group's "/agents/" as "/agents").</summary>
    private static string OpenApiPath(string pattern) => "/" + Constraint().Replace(pattern.Trim('/'), "{$1}");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex Constraint();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }
}
