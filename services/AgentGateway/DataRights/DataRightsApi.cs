using Npgsql;
using Routing.AgentGateway.Admin;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// A customer's right of access, the gateway's part: POST /admin/customers/{id}/export returns everything the gateway holds
/// about them as one JSON document (routing's part is routing's POST /customers/{id}/export). The admin token; logged by
/// customer id, never by content.
/// </summary>
internal static class DataRightsApi
{
    public static WebApplication MapDataRightsApi(this WebApplication app)
    {
        AdminApi.MapAdminGroup(app).MapPost("/customers/{id}/export", ExportAsync).WithTags("Data rights")
            .Produces<GatewayCustomerExport>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> ExportAsync(string id, NpgsqlDataSource db, TimeProvider time, HttpContext http, ILogger<GatewayCustomerExport> logger,
        CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["must be a customer id (a UUID)"] });
        }
        if (await GatewayExportStore.ReadAsync(db, customerId, ct) is not { } tables)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The gateway holds no conversation of customer {id}.");
        }
        logger.LogInformation("The admin API exported customer {CustomerId}", customerId);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-{customerId}-gateway.json\"";
        return Results.Ok(new GatewayCustomerExport(customerId, time.GetUtcNow(), "agent-gateway", tables));
    }
}

/// <summary>One customer's data in the agent gateway: <paramref name="Tables"/> maps each table to its rows of the customer (every column).</summary>
internal sealed record GatewayCustomerExport(Guid CustomerId, DateTimeOffset ExportedAt, string Service, IReadOnlyDictionary<string, System.Text.Json.JsonElement> Tables);
