namespace Routing.Retention;

/// <summary>
/// How long routing keeps each kind of data (section "Routing:Retention"); a kind set to 0 is kept until a customer's
/// erasure. Customers, their addresses, owners and history with agents are what routing is for, and are kept until erased.
/// </summary>
internal sealed class RetentionOptions
{
    public const string Section = "Routing:Retention";

    /// <summary>What customers wrote (text, subject, attachments, their name and address on the message) in conversations closed longer ago; the rows stay, about nobody.</summary>
    public TimeSpan Messages { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Routing's receipts (decisions) of conversations closed longer ago.</summary>
    public TimeSpan Receipts { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Agents' presence history (what-if replays reach back this far).</summary>
    public TimeSpan PresenceChanges { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Events the outbox quarantined (could not be published), kept for an operator to look at.</summary>
    public TimeSpan Quarantine { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A provider's profile of an address that no customer has (it came before a message that never did, or after an erasure).</summary>
    public TimeSpan UnclaimedProfiles { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the sweep runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
