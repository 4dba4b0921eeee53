using MassTransit;
using Routing.Addresses;
using Routing.Contracts;
using Routing.Database;
using Routing.Messaging;

namespace Routing.Identity;

/// <summary>
/// A provider said two addresses are one person (Meta's answer to a private reply names the comment author's Messenger id):
/// the new address joins the customer who owns the known one, so that the customer's answer from it continues their
/// conversation with the same agent. When the new address already belonged to another customer (they wrote on Messenger
/// before they commented), that customer is merged into this one, as an operator's merge would be: reversibly
/// (POST /customers/{id}/unmerge), their conversations kept together. A redelivered link changes nothing more.
/// </summary>
internal sealed class CustomerAddressLinkedConsumer(RoutingDb db, CustomerMerger merger, ILogger<CustomerAddressLinkedConsumer> logger)
    : IConsumer<CustomerAddressLinked>
{
    public async Task Consume(ConsumeContext<CustomerAddressLinked> context)
    {
        var m = context.Message;
        var known = Address(m.Known, "known");
        var address = Address(m.Address, "address");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var (owner, other) = await CustomerStore.LinkAddressAsync(tx.Connection, tx.Transaction, known, address, m.Address.DisplayName, tx.Now, ct);
        if (owner is not { } survivor)
        {
            // the customer was erased since the reply went: nothing to join the address to
            throw new InvalidMessageException("known", "belongs to no customer");
        }
        if (other is { } merged && merged != survivor)
        {
            await CustomerStore.LockAsync(tx.Connection, tx.Transaction, [survivor, merged], ct);
            await merger.MergeAsync(tx, survivor, merged, ct);
            logger.LogInformation("Customer {Merged} merged into {Survivor}: {Channel} said their {Kind} address is the same person (conversation {ConversationId})",
                merged, survivor, m.Channel, address.Kind, m.ConversationId);
        }
        await tx.CommitAsync(ct);
    }

    private static NormalizedAddress Address(CustomerAddress? given, string field) =>
        given is null ? throw new InvalidMessageException(field, "is required")
        : AddressNormalizer.TryNormalize(given.Kind, given.Value, out var address, out var error) ? address
        : throw new InvalidMessageException(field, error);
}
