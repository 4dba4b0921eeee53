using Routing.Contracts;

namespace Routing.Adapters.Profiles;

/// <summary>A channel's lookup of the person behind a customer's address, with the credentials of the account they wrote to.</summary>
public interface IProfileSource
{
    /// <summary>The channel whose messages' senders this source looks up.</summary>
    string Channel { get; }

    /// <summary>
    /// The kind of address it can look up: a Page feed's commenter ("facebook-user") is not a Messenger id, and the feed
    /// names them itself. Senders of another kind are not looked up.
    /// </summary>
    string AddressKind => Channel;

    /// <summary>
    /// The provider's profile of <paramref name="message"/>'s sender. Throws what the HTTP client throws when the provider
    /// could not be asked (after the client's retries); a refusal is an answer.
    /// </summary>
    Task<ProfileAnswer> LookUpAsync(InboundMessageReceived message, CancellationToken ct);
}

/// <summary>What a provider tells of a person; every part may be missing.</summary>
public sealed record CustomerProfile(string? Name, string? Handle, string? PictureUrl, string? Locale)
{
    public bool IsEmpty => Name is null && Handle is null && PictureUrl is null && Locale is null;
}

/// <summary>A lookup's answer: the profile, or the outcome (not-found, refused, not-configured) and the provider's reason.</summary>
public sealed record ProfileAnswer(CustomerProfile? Profile, string Outcome, string? Problem = null)
{
    public static ProfileAnswer Found(CustomerProfile profile) => new(profile, "found");

    /// <summary>The provider has nobody behind the address, or nothing it may tell.</summary>
    public static ProfileAnswer NotFound(string problem) => new(null, "not-found", problem);

    /// <summary>The provider refused the credentials or the permission.</summary>
    public static ProfileAnswer Refused(string problem) => new(null, "refused", problem);

    /// <summary>No credentials for the account the customer wrote to.</summary>
    public static ProfileAnswer NotConfigured(string problem) => new(null, "not-configured", problem);
}
