using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Routing.ServiceDefaults;

/// <summary>
/// What every operation of the services' APIs may answer besides its own result, written into their OpenAPI documents:
/// 400 (a body or parameter refused, with the field named), 401 (no or a dead credential), 403 where a credential can be
/// refused, 429 (the caller's rate limit, with Retry-After), each as application/problem+json (RFC 9457); and 413 and
/// 415 on operations that take a body.
/// </summary>
public static class OpenApiDefaults
{
    /// <summary>
    /// A service's API document: the endpoints <paramref name="includes"/> takes, by relative path (all by default), its title
    /// and description, the problem responses, and no servers, so it reads the same wherever it is served from (paths are
    /// relative to the service's address). Called inside the service's own AddOpenApi, whose call site the package's
    /// source generator needs in the service's assembly to bring in its XML comments.
    /// </summary>
    public static OpenApiOptions Describe(this OpenApiOptions options, string title, string description, bool forbidden,
        Func<string, bool>? includes = null)
    {
        if (includes is not null)
        {
            options.ShouldInclude = d => d.RelativePath is { } path && includes(path);
        }
        options.AddProblemResponses(forbidden);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = title;
            document.Info.Description = description;
            document.Servers?.Clear();
            return Task.CompletedTask;
        });
        return options;
    }

    /// <param name="forbidden">Whether a credential can be refused (403) on top of missing (401).</param>
    public static OpenApiOptions AddProblemResponses(this OpenApiOptions options, bool forbidden)
    {
        options.AddOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= new OpenApiResponses();
            var responses = new List<(string Status, string Description)>
            {
                ("400", "The request was refused: a parameter or the body is invalid (the problem names it)."),
                ("401", "No credential, or one that is unknown, expired or revoked."),
                ("429", "The caller's rate limit: try again after Retry-After seconds."),
            };
            if (forbidden)
            {
                responses.Add(("403", "The credential does not allow this."));
            }
            if (operation.RequestBody is not null)
            {
                responses.Add(("413", "The body is larger than the API takes."));
                responses.Add(("415", "The body is not application/json."));
            }
            foreach (var (status, description) in responses)
            {
                operation.Responses.TryAdd(status, Problem(description));
            }
            return Task.CompletedTask;
        });
        return options;
    }

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
            },
        },
    };
}
