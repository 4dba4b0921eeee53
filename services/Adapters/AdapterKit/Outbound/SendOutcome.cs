namespace Routing.Adapters.Outbound;

/// <summary>What the provider finally said: its message id, or its error code and whether retrying could ever help.</summary>
public sealed record SendOutcome(string? ProviderMessageId, string? ErrorCode, string? ErrorMessage, bool Permanent)
{
    public static SendOutcome Sent(string providerMessageId) => new(providerMessageId, null, null, false);

    public static SendOutcome Failed(string code, string message, bool permanent) => new(null, code, message, permanent);
}
