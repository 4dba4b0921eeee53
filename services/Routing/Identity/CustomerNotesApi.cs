using Routing.Contracts;
using Routing.Database;

namespace Routing.Identity;

/// <summary>
/// Notes and tags on a customer through the operators' API: read (any token), written and removed (admin tokens: an operator
/// writes as operator:{token name}, and removes a note that should not have been written). Agents write theirs from their
/// tools (the agent gateway's AnnotateCustomer).
/// </summary>
internal static class CustomerNotesApi
{
    public static RouteGroupBuilder MapCustomerNotes(this RouteGroupBuilder customers)
    {
        customers.MapGet("/{id}/notes", GetAsync).Produces<CustomerNotesView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPost("/{id}/notes", AnnotateAsync).Produces<CustomerNotesView>().ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapDelete("/{id}/notes/{noteId}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return customers;
    }

    private static async Task<IResult> GetAsync(string id, int? limit, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (limit is < 1 or > 500)
        {
            return Problems.Invalid("limit", "must be from 1 to 500");
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct) is null)
        {
            return Problems.NotFound("Customer", id);
        }
        var (notes, tags) = await NoteStore.ForCustomerAsync(tx.Connection, tx.Transaction, customerId, limit ?? 100, ct);
        return Results.Ok(new CustomerNotesView(customerId, notes, tags));
    }

    /// <summary>{"note": "…", "addTags": ["vip"], "removeTags": [], "name": "…"}: the note written as operator:{name}, the tags changed, the customer named.</summary>
    private static async Task<IResult> AnnotateAsync(string id, AnnotationRequest? body, RoutingDb db, HttpContext http, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (CustomerAnnotations.Read(body?.Note, body?.AddTags, body?.RemoveTags, body?.Name, out var field, out var problem) is not { } annotation)
        {
            return Problems.Invalid(field!, problem!);
        }
        await using var tx = await db.BeginAsync(ct);
        if (await CustomerStore.GetAsync(tx.Connection, tx.Transaction, customerId, ct) is not { } customer)
        {
            return Problems.NotFound("Customer", id);
        }
        // notes go to the customer a merged one now is
        var owner = customer.MergedInto ?? customerId;
        await NoteStore.AnnotateAsync(tx, owner, tx.NewId(), "operator:" + (http.User.Identity?.Name ?? ""), null, annotation.Note, annotation.AddTags,
            annotation.RemoveTags, annotation.Name, ct);
        var (notes, tags) = await NoteStore.ForCustomerAsync(tx.Connection, tx.Transaction, owner, 100, ct);
        await tx.CommitAsync(ct);
        return Results.Ok(new CustomerNotesView(owner, notes, tags));
    }

    private static async Task<IResult> DeleteAsync(string id, string noteId, RoutingDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var customerId))
        {
            return Problems.Invalid("id", "must be a customer id (a UUID)");
        }
        if (!Guid.TryParse(noteId, out var note))
        {
            return Problems.Invalid("noteId", "must be a note id (a UUID)");
        }
        await using var tx = await db.BeginAsync(ct);
        if (!await NoteStore.DeleteAsync(tx, customerId, note, ct))
        {
            return Problems.NotFound("Note", noteId);
        }
        await tx.CommitAsync(ct);
        return Results.NoContent();
    }
}

/// <summary>The customer's notes, newest first, and tags.</summary>
internal sealed record CustomerNotesView(Guid CustomerId, IReadOnlyList<CustomerNote> Notes, IReadOnlyList<string> Tags);

internal sealed record AnnotationRequest(string? Note, string?[]? AddTags, string?[]? RemoveTags, string? Name = null);
