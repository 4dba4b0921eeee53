namespace Routing.Contracts;

/// <summary>
/// What a channel's provider says about the person behind an address, looked up by the adapter outside the webhook (Meta's
/// user profile, X's users lookup): their name, handle, picture and locale as the provider knows them now. Routing keeps
/// the newest for the address and names the customer with it where the customer has no name yet. A lookup the provider
/// refused is not published: the profile stays as it was.
/// </summary>
public sealed record CustomerProfileObserved
{
    public required string Channel { get; init; }

    /// <summary>Our side: the Page, account or number whose credentials the lookup used.</summary>
    public required string ChannelAccount { get; init; }

    /// <summary>The address looked up (kind and value as the adapter's messages carry them); its display name is the provider's name for the person.</summary>
    public required CustomerAddress Address { get; init; }

    /// <summary>The person's handle on the channel (an Instagram username, an X @name), without the @.</summary>
    public string? Handle { get; init; }

    /// <summary>The provider's link to the person's picture; Meta's expire after some days, and are refreshed with the profile.</summary>
    public string? PictureUrl { get; init; }

    /// <summary>The person's locale or language as the provider gives it (en_US, it), where it does.</summary>
    public string? Locale { get; init; }

    public required DateTimeOffset ObservedAt { get; init; }
}
