namespace Routing.Adapters.Outbound;

/// <summary>
/// What the provider finally said: its message id, or its error code and whether retrying could ever help. An
/// <see cref="Uncertain"/> outcome is neither: the request reached the provider and no clear answer came back (a 500,
/// a timeout, a connection reset after the request was written), so the message may or may not have gone out. It is
/// never retried, since a retry could reach the customer twice; the provider's status callbacks settle it.
/// </summary>
public sealed record SendOutcome(string? ProviderMessageId, string? ErrorCode, string? ErrorMessage, bool Permanent)
{
    public bool Uncertain { get; init; }

    /// <summary>
    /// The customer's address as the provider named it in its answer, when it tells one the command did not name: Meta's
    /// answer to a private reply gives the Messenger id of the comment's author. The kit publishes it as CustomerAddressLinked.
    /// </summary>
    public Contracts.CustomerAddress? Recipient { get; init; }

    public static SendOutcome Sent(string providerMessageId) => new(providerMessageId, null, null, false);

    public static SendOutcome Failed(string code, string message, bool permanent) => new(null, code, message, permanent);

    public static SendOutcome Unknown(string code, string message) => new(null, code, message, false) { Uncertain = true };

    /// <summary>
    /// A provider's error answer by its HTTP status: 408 and 5xx other than 503 leave the outcome unknown (the provider may
    /// have sent before failing, as Twilio's error 20500 says of message creation); 429 and 503 were refused before any
    /// work, and the rest fail, permanently as the caller judges.
    /// </summary>
    public static SendOutcome ForError(int httpStatus, string code, string message, bool permanent) => httpStatus switch
    {
        408 or (>= 500 and not 503) => Unknown(code, message),
        429 or 503 => Failed(code, message, permanent: false),
        _ => Failed(code, message, permanent),
    };
}
