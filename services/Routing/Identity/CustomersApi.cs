using Dapper;
using Routing.Database;
using Routing.Addresses;

namespace Routing.Identity;

internal static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("/lookup", LookupAsync).Produces<CustomerView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapGet("/{id}", GetAsync).Produces<CustomerView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPut("/{id}/preferred-agents", SetPreferredAsync).Produces<CustomerView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPut("/{id}/priority", SetPriorityAsync).Produces<CustomerView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPost("/{id}/merge", MergeAsync).Produces<CustomerView>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        customers.MapPost("/{id}/unmerge", UnmergeAsync).Produces<UnmergeResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapCustomerNotes();
        return app;
    }

    private static async Task<IResult> LookupAsync(string? kind, string? value, RoutingDb db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(kind))
        {
            return Problems.Invalid("kind", "is required (email, phone, facebook, twitter, ...)");
        }
        if (!AddressNormalizer.TryNormalize(kind, value, out var address, out var error))
        {
            return Problems.Invalid("value", error);
        }
        await using var tx = await db.BeginAsync(ct);
        var customerId = await tx.Connection.QuerySingleOrDefaultAsync<Guid?>(tx.Command(
            "select customer_id from identities where kind = @Kind and value = @Value", address, ct));
        return customerId is { } id && await CustomerStore.GetAsync(tx.Connection, tx.Transaction, id, ct) is { } customer
            ? Results.Ok(customer)
            : Problems.NotFound("Customer", $"{address.Kind}:{address.Value}");
    }

    private static async Task<IResult> GetAsync(string id, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        return await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct) is { } customer
            ? Results.Ok(customer)
            : Problems.NotFound("Customer", id);
    }

    /// <summary>{"priority": 10}: a VIP's new conversations start with that priority (the higher, the sooner served).</summary>
    private static async Task<IResult> SetPriorityAsync(string id, PriorityRequest? body, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (body?.Priority is not (>= 0 and <= 100))
        {
            return Problems.Invalid("priority", "is required: a whole number from 0 (ordinary) to 100");
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.SetPriorityAsync(tx.Connection, tx.Transaction, customerId, body.Priority.Value, ct) == 0)
        {
            return Problems.NotFound("Customer", id);
        }
        var customer = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct);
        await tx.CommitAsync(ct);
        return Results.Ok(customer);
    }

    private static async Task<IResult> SetPreferredAsync(string id, string[]? agentIds, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (agentIds is null)
        {
            return Problems.Invalid("body", "a JSON array of agent ids, in order of preference");
        }
        return await PreferredAgentsChange.SetAsync(db, customerId, agentIds, ct) switch
        {
            { Problem: { } problem } => Problems.Invalid(problem.Field, problem.Message),
            { Customer: { } customer } => Results.Ok(customer),
            _ => Problems.NotFound("Customer", id),
        };
    }

    private static async Task<IResult> MergeAsync(string id, MergeRequest? body, CustomerMerger merger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var survivorId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (body?.CustomerId is null || !Guid.TryParse(body.CustomerId, out var mergedId))
        {
            return Problems.Invalid("customerId", "the id of the customer to merge into this one is required");
        }
        var (check, survivor) = await merger.MergeCheckedAsync(survivorId, mergedId, ct);
        return check switch
        {
            MergeCheck.Itself => Problems.Invalid("customerId", "a customer cannot be merged into itself"),
            MergeCheck.SurvivorNotFound => Problems.NotFound("Customer", id),
            MergeCheck.MergedNotFound => Problems.NotFound("Customer", body.CustomerId),
            MergeCheck.AlreadyMerged => Problems.Conflict("Already merged", "One of these customers is already merged into another; merge into that one, or unmerge first."),
            _ => Results.Ok(survivor),
        };
    }

    private static async Task<IResult> UnmergeAsync(string id, HttpRequest request, RoutingDb db, CustomerMerger merger, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var survivorId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        Guid? mergedId = null;
        var (ok, body, problem) = await Problems.ReadOptionalJsonAsync<MergeRequest>(request, ct);
        if (!ok)
        {
            return problem!;
        }
        if (body?.CustomerId is not null)
        {
            if (!Guid.TryParse(body.CustomerId, out var parsed))
            {
                return Problems.Invalid("customerId", "must be a customer id (a UUID)");
            }
            mergedId = parsed;
        }
        var merge = await merger.UnmergeAsync(survivorId, mergedId, ct);
        if (merge is null)
        {
            return Problems.NotFound("Merge", mergedId is null ? $"into {id}" : $"{mergedId} into {id}");
        }
        await using var tx = await db.BeginAsync(ct);
        var survivor = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, survivorId, ct);
        var restored = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, merge.MergedId, ct);
        await tx.CommitAsync(ct);
        return Results.Ok(new UnmergeResponse(survivor!, restored!));
    }
}

internal sealed record MergeRequest(string? CustomerId);

internal sealed record PriorityRequest(int? Priority);

/// <summary>An unmerge's answer: the customer unmerged from, and the one restored as a person of their own.</summary>
internal sealed record UnmergeResponse(CustomerView Survivor, CustomerView Restored);
