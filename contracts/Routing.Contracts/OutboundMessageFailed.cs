namespace Routing.Contracts;

public sealed record OutboundMessageFailed
{
    public required Guid CommandId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string Channel { get; init; }

    /// <summary>The provider's own error code (21610, 131047, ...), or the adapter's when the provider gave none.</summary>
    public required string ErrorCode { get; init; }

    public required string ErrorMessage { get; init; }

    /// <summary>True when retrying cannot help (invalid number, opted out, outside the messaging window).</summary>
    public required bool Permanent { get; init; }

    /// <summary>
    /// True when the provider got the request and no clear answer came back (a 500, a timeout, a connection reset): the
    /// message may have gone out. Nothing retries it; the provider's status callbacks settle it, and the agent is told the
    /// outcome is unknown rather than failed, so that nobody sends it again by hand.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    public required DateTimeOffset FailedAt { get; init; }
}
