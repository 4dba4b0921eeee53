using System.Text.RegularExpressions;

namespace Routing;

/// <summary>problem+json answers that name the field at fault.</summary>
internal static partial class Problems
{
    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    public static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"There is no {what.ToLowerInvariant()} '{id}'.");

    public static IResult Conflict(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    /// <summary>Reads an optional JSON body: (true, null) when there is none, (false, _) when it is not valid JSON of T.</summary>
    public static async Task<(bool Ok, T? Body, IResult? Problem)> ReadOptionalJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return (true, null, null);
        }
        try
        {
            return (true, await request.ReadFromJsonAsync<T>(ct), null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            var field = ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
            return (false, null, Invalid(field, ex.Message));
        }
    }

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    private static partial Regex IdPattern();
}
