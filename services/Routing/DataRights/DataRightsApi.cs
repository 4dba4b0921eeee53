using Routing.Database;

namespace Routing.DataRights;

/// <summary>
/// A customer's right of access (GDPR article 15, and 20's portability): everything routing holds about them, as one JSON
/// document. An export is an action an operator answers for: admin tokens only, and logged by operator and customer id
/// (never the contents).
/// </summary>
internal static class DataRightsApi
{
    public static IEndpointRouteBuilder MapDataRightsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/customers/{id}/export", ExportAsync).WithTags("Data rights")
            .Produces<CustomerExport>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> ExportAsync(string id, RoutingDb db, HttpContext http, ILogger<CustomerExport> logger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerExportStore.ReadAsync(tx.Connection, tx.Transaction, customerId, ct) is not { } tables)
        {
            return Problems.NotFound("Customer", id);
        }
        logger.LogInformation("Operator {Operator} exported customer {CustomerId}", http.User.Identity?.Name, customerId);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-{customerId}.json\"";
        return Results.Ok(new CustomerExport(customerId, db.Now, "routing", tables));
    }
}

/// <summary>One customer's data in routing: <paramref name="Tables"/> maps each table to its rows of the customer (every column).</summary>
internal sealed record CustomerExport(Guid CustomerId, DateTimeOffset ExportedAt, string Service, IReadOnlyDictionary<string, System.Text.Json.JsonElement> Tables);
