using Dapper;
using Routing.Addresses;

namespace Routing.Database;

/// <summary>What providers say about the person behind an address (address_profiles).</summary>
internal static class ProfileStore
{
    /// <summary>
    /// Keeps the profile unless a newer one is already kept; names the address's identity with it, and the identity's
    /// customer when they have no name yet. Returns whether it was kept, whether an identity has the address (one being created
    /// by a message routed at this moment is not seen yet), and the customer it named (if any).
    /// </summary>
    public static async Task<(bool Kept, bool Claimed, Guid? NamedCustomer)> RecordAsync(RoutingTransaction tx, NormalizedAddress address, string channel,
        string? name, string? handle, string? pictureUrl, string? locale, DateTimeOffset observedAt, CancellationToken ct)
    {
        var kept = await tx.Connection.ExecuteScalarAsync<bool>(tx.Command(
            """
            with kept as (
                insert into address_profiles (kind, value, channel, display_name, handle, picture_url, locale, observed_at)
                values (@kind, @value, @channel, @name, @handle, @pictureUrl, @locale, @observedAt)
                on conflict (kind, value) do update set channel = excluded.channel, display_name = excluded.display_name, handle = excluded.handle,
                    picture_url = excluded.picture_url, locale = excluded.locale, observed_at = excluded.observed_at
                where address_profiles.observed_at <= excluded.observed_at
                returning 1)
            select exists (select 1 from kept)
            """,
            new { kind = address.Kind, value = address.Value, channel, name, handle, pictureUrl, locale, observedAt }, ct));
        if (!kept || name is null)
        {
            return (kept, true, null);
        }
        var (claimed, named) = await tx.Connection.QuerySingleAsync<(long Claimed, Guid? Named)>(tx.Command(
            """
            with identity as (
                update identities set display_name = @name where kind = @kind and value = @value returning customer_id),
            named as (
                update customers c set display_name = @name from identity i
                where c.id = i.customer_id and c.display_name is null
                returning c.id)
            select (select count(*) from identity), (select id from named limit 1)
            """,
            new { kind = address.Kind, value = address.Value, name }, ct));
        return (true, claimed > 0, named);
    }
}
