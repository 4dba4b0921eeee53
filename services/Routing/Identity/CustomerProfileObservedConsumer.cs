using MassTransit;
using Routing.Addresses;
using Routing.Contracts;
using Routing.Database;
using Routing.Messaging;

namespace Routing.Identity;

/// <summary>
/// Keeps what a channel's provider says about the person behind an address (the adapters' profile lookups), and names the
/// customer with it when they have no name yet: a Messenger or Instagram customer, whose webhooks carry no name, is named
/// from then on in every delivery and the console. An older profile than the one kept changes nothing. A profile that
/// cannot be right goes to the error queue with its reason; nothing of the person is logged.
/// </summary>
internal sealed class CustomerProfileObservedConsumer(RoutingDb db, ILogger<CustomerProfileObservedConsumer> logger) : IConsumer<CustomerProfileObserved>
{
    private const int MaxName = 200;
    private const int MaxUrl = 2048;

    /// <summary>Tries (after the first) for an identity to appear before a profile is kept without one.</summary>
    private const int UnclaimedRetries = 4;

    public async Task Consume(ConsumeContext<CustomerProfileObserved> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.Channel))
        {
            throw new InvalidMessageException("channel", "is required");
        }
        if (m.Address is null)
        {
            throw new InvalidMessageException("address", "is required");
        }
        if (!AddressNormalizer.TryNormalize(m.Address.Kind, m.Address.Value, out var address, out var error))
        {
            throw new InvalidMessageException("address", error);
        }
        if (m.ObservedAt == default)
        {
            throw new InvalidMessageException("observedAt", "is required");
        }
        var name = Text(m.Address.DisplayName, MaxName, "address.displayName");
        var handle = Text(m.Handle, MaxName, "handle");
        var locale = Text(m.Locale, 35, "locale");
        var picture = Text(m.PictureUrl, MaxUrl, "pictureUrl");
        if (picture is not null && !(Uri.TryCreate(picture, UriKind.Absolute, out var link) && link.Scheme is "https" or "http"))
        {
            throw new InvalidMessageException("pictureUrl", "is not an http(s) link");
        }

        await using var tx = await db.BeginAsync(context.CancellationToken);
        var (kept, claimed, named) = await ProfileStore.RecordAsync(tx, address, m.Channel.ToLowerInvariant(), name, handle, picture, locale, m.ObservedAt,
            context.CancellationToken);
        if (!claimed && context.GetRetryAttempt() < UnclaimedRetries)
        {
            // The adapter looks the sender up right after publishing their message: that message's identity may be being
            // created now, by a transaction this one cannot see and that could not see this profile. Again in a moment
            // (routing's transient retry); after a few tries the profile is kept alone, for the identity to take when it comes.
            throw new ProfileNotClaimedYetException();
        }
        await tx.CommitAsync(context.CancellationToken);
        logger.LogInformation("A {Channel} profile was {Outcome}{Named}", m.Channel, kept ? "kept" : "older than the one kept, and left",
            named is { } customer ? $"; it named customer {customer}" : "");
    }

    private static string? Text(string? value, int max, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        return text.Length <= max && !text.Any(char.IsControl) ? text : throw new InvalidMessageException(field, $"is longer than {max} characters or holds control characters");
    }
}

/// <summary>A profile whose address has no identity yet, where one may be being created: retried (transient), never to the error queue.</summary>
internal sealed class ProfileNotClaimedYetException() : Exception("No identity has the profile's address yet; trying again.");
