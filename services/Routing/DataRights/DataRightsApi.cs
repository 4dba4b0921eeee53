using Routing.Database;

namespace Routing.DataRights;

/// <summary>
/// A customer's data rights: access (GDPR article 15, and 20's portability), everything the platform holds about them as one
/// JSON document (routing's tables, and the agent gateway's part fetched from its admin API); and erasure (article 17). Both are actions an operator answers for: admin tokens only,
/// an audit record each (data_rights_audit: ids, operator, counts), logged by operator and customer id, never by content.
/// </summary>
internal static class DataRightsApi
{
    public static IEndpointRouteBuilder MapDataRightsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/customers/{id}/export", ExportAsync).WithTags("Data rights")
            .Produces<CustomerExport>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapPost("/customers/{id}/erase", EraseAsync).WithTags("Data rights")
            .Produces<CustomerErasure>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> ExportAsync(string id, RoutingDb db, GatewayExportClient gateway, HttpContext http, ILogger<CustomerExport> logger,
        CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        var services = new SortedDictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        if (gateway.Configured)
        {
            // the gateway's part first: routing's snapshot and audit follow only when the whole document can be given
            var (part, problem) = await gateway.ReadAsync(customerId, ct);
            if (part is not { } gatewayPart)
            {
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Export incomplete",
                    detail: $"Nothing was exported: {problem}. Try again in a moment.");
            }
            services[GatewayExportClient.Service] = gatewayPart;
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerExportStore.ReadAsync(tx.Connection, tx.Transaction, customerId, ct) is not { } tables)
        {
            return Problems.NotFound("Customer", id);
        }
        var operatorName = http.User.Identity?.Name ?? "";
        await CustomerErasureStore.AuditAsync(tx.Connection, tx.Transaction, tx.NewId(), "export", customerId, operatorName, tx.Now,
            tables.ToDictionary(t => t.Key, t => t.Value.GetArrayLength()), ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Operator {Operator} exported customer {CustomerId}", operatorName, customerId);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-{customerId}.json\"";
        return Results.Ok(new CustomerExport(customerId, tx.Now, "routing", tables, services));
    }

    /// <summary>
    /// The right to erasure: the person's addresses, names and messages removed or overwritten in one transaction, an audit
    /// record of ids and counts, and CustomerErased published (through the outbox, with the erasure) so that the services
    /// keeping copies remove theirs. Erasing again finds nothing more and says so.
    /// </summary>
    private static async Task<IResult> EraseAsync(string id, RoutingDb db, HttpContext http, ILogger<CustomerErasure> logger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        var (customers, conversations) = await CustomerErasureStore.ScopeAsync(tx.Connection, tx.Transaction, customerId, ct);
        if (customers.Count == 0)
        {
            return Problems.NotFound("Customer", id);
        }
        var rows = await CustomerErasureStore.EraseAsync(tx.Connection, tx.Transaction, customerId, ct);
        var erasureId = tx.NewId();
        var operatorName = http.User.Identity?.Name ?? "";
        await CustomerErasureStore.AuditAsync(tx.Connection, tx.Transaction, erasureId, "erasure", customerId, operatorName, tx.Now, rows, ct);
        tx.Publish(new Contracts.CustomerErased { ErasureId = erasureId, CustomerIds = customers, ConversationIds = conversations, ErasedAt = tx.Now });
        await tx.CommitAsync(ct);
        logger.LogInformation("Operator {Operator} erased customer {CustomerId} ({Conversations} conversations)", operatorName, customerId, conversations.Count);
        return Results.Ok(new CustomerErasure(erasureId, customerId, tx.Now, conversations.Count, rows));
    }
}

/// <summary>What an erasure did: its id (the audit record's, and the CustomerErased event's), and how many rows each table changed.</summary>
internal sealed record CustomerErasure(Guid ErasureId, Guid CustomerId, DateTimeOffset ErasedAt, int Conversations, IReadOnlyDictionary<string, int> Rows);

/// <summary>
/// One customer's data: <paramref name="Tables"/> maps each of routing's tables to its rows of the customer (every column);
/// <paramref name="Services"/> holds the other services' parts by name (the agent gateway's, when Routing:DataRights names it).
/// </summary>
internal sealed record CustomerExport(Guid CustomerId, DateTimeOffset ExportedAt, string Service, IReadOnlyDictionary<string, System.Text.Json.JsonElement> Tables,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Services);
