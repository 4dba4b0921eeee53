namespace Routing.Contracts;

/// <summary>
/// A channel's provider said that two addresses are one person: Meta's answer to a private reply names the Messenger id of
/// the comment's author. Published by the adapter that learned it; routing joins <see cref="Address"/> to the customer of
/// <see cref="Known"/>, merging (reversibly) a customer the address already had, so that the customer's answer on the new
/// address continues their conversation with the same agent.
/// </summary>
public sealed record CustomerAddressLinked
{
    /// <summary>Deterministic from what taught it (the send command's id): a redelivery is the same link.</summary>
    public required Guid LinkId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string Channel { get; init; }

    /// <summary>The address the customer is known by (the one the command was sent to).</summary>
    public required CustomerAddress Known { get; init; }

    /// <summary>The same person's other address, as the provider named it.</summary>
    public required CustomerAddress Address { get; init; }

    public required DateTimeOffset LinkedAt { get; init; }
}
