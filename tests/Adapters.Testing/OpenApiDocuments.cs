using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Routing.Adapters.Testing;

/// <summary>
/// What a service's OpenAPI document must show (issue 19): every route of its API, and the same text as the copy committed
/// under contracts/openapi/ for integrators. ROUTING_WRITE_OPENAPI=1 writes the served document over the committed one
/// (then review the diff).
/// </summary>
public static partial class OpenApiDocuments
{
    /// <summary>The routes of <paramref name="services"/>' endpoints whose pattern passes <paramref name="include"/>, as OpenAPI writes them.</summary>
    public static IReadOnlyList<(string Path, string Method)> Routes(IServiceProvider services, Func<string, bool> include) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && include(raw) && !raw.Contains("openapi", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => (Path: OpenApiPath(e.RoutePattern.RawText!), Method: m.ToLowerInvariant())))
            .ToList();

    /// <summary>Asserts that <paramref name="served"/> names every one of <paramref name="routes"/>.</summary>
    public static void AssertDescribes(JsonNode served, IReadOnlyList<(string Path, string Method)> routes)
    {
        var paths = served["paths"]!.AsObject();
        Assert.All(routes, r => Assert.True(paths[r.Path]?[r.Method] is not null, $"{r.Method} {r.Path} is not in the document"));
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(m => (Path: p.Key, Method: m.Key))).ToList();
        Assert.All(described, d => Assert.True(routes.Contains(d), $"{d.Method} {d.Path} is described but is not a route of this API"));
    }

    /// <summary>
    /// Calls every operation <paramref name="served"/> describes without a credential, and asserts that each answers 401 as
    /// problem+json, which the document says it may: the document checked against the running endpoints.
    /// </summary>
    public static async Task AssertAnonymousRefusedAsync(HttpClient anonymous, JsonNode served)
    {
        var calls = 0;
        foreach (var (path, operations) in served["paths"]!.AsObject())
        {
            var url = PathParameter().Replace(path, _ => Guid.NewGuid().ToString());
            foreach (var (method, operation) in operations!.AsObject())
            {
                Assert.True(operation!["responses"]?["401"] is not null, $"{method} {path}: the document does not say it answers 401");
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
                if (operation["requestBody"] is not null)
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }
                using var response = await anonymous.SendAsync(request);
                Assert.True(response.StatusCode == System.Net.HttpStatusCode.Unauthorized, $"{method} {url} without a credential: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                calls++;
            }
        }
        Assert.True(calls > 0, "the document describes no operation");
    }

    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="url"/> (with <paramref name="body"/> as JSON) and asserts that the
    /// answer is one the document lists for the operation at <paramref name="path"/>, in the media type it lists, and
    /// that a JSON answer has the properties the document's schema requires: the documented results checked against the
    /// running endpoints, success as well as refusal. Returns the answer's body.
    /// </summary>
    public static async Task<JsonNode?> AssertAnswerDocumentedAsync(HttpClient client, JsonNode served, string method, string path, string url,
        object? body = null, System.Net.HttpStatusCode? expected = null)
    {
        var operation = served["paths"]?[path]?[method] ?? throw new Xunit.Sdk.XunitException($"{method} {path} is not in the document");
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }
        using var response = await client.SendAsync(request);
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = await response.Content.ReadAsStringAsync();
        if (expected is { } e)
        {
            Assert.True(e == response.StatusCode, $"{method} {url}: {status} {text}");
        }
        var documented = operation["responses"]?[status];
        Assert.True(documented is not null, $"{method} {url} answered {status}, which the document does not list for {method} {path}");
        var content = documented!["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            Assert.True(text.Length == 0, $"{method} {url} answered {status} with a body the document does not describe");
            return null;
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        Assert.True(content.ContainsKey(mediaType), $"{method} {url} answered {status} as {mediaType}; the document lists {string.Join(", ", content.Select(c => c.Key))}");
        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return null;
        }
        var answer = JsonNode.Parse(text);
        var schema = Resolve(served, content[mediaType]!["schema"]);
        // an array's first item against the items' schema
        var (value, valueSchema) = schema?["type"]?.ToString().Contains("array", StringComparison.Ordinal) == true && answer is JsonArray { Count: > 0 } list
            ? (list[0], Resolve(served, schema["items"]))
            : (answer, schema);
        foreach (var required in valueSchema?["required"]?.AsArray() ?? [])
        {
            Assert.True(value is JsonObject o && o.ContainsKey(required!.GetValue<string>()),
                $"{method} {url}: the answer has no {required}, which the document's schema requires");
        }
        return answer;
    }

    private static JsonNode? Resolve(JsonNode served, JsonNode? schema) =>
        schema?["$ref"]?.GetValue<string>() is { } reference
            ? served["components"]?["schemas"]?[reference.Split('/')[^1]]
            : schema;

    /// <summary>Asserts that contracts/openapi/<paramref name="file"/> is <paramref name="served"/> (writing it first under ROUTING_WRITE_OPENAPI=1).</summary>
    public static async Task AssertCommittedAsync(JsonNode served, string file)
    {
        var committed = Path.Combine(AdapterProcess.RepositoryRoot, "contracts", "openapi", file);
        if (Environment.GetEnvironmentVariable("ROUTING_WRITE_OPENAPI") == "1")
        {
            var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
            await File.WriteAllTextAsync(committed, text);
        }
        Assert.True(File.Exists(committed) && JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(committed)), served),
            $"contracts/openapi/{file} differs from the document the service serves: run its test with ROUTING_WRITE_OPENAPI=1 and review the diff");
    }

    /// <summary>"/agents/{id:guid}" as OpenAPI writes it: "/agents/{id}" (and a group's "/agents/" as "/agents").</summary>
    public static string OpenApiPath(string pattern) => "/" + Constraint().Replace(pattern.Trim('/'), "{$1}");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
