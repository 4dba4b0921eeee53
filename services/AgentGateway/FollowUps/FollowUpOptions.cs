namespace Routing.AgentGateway.FollowUps;

/// <summary>Follow-ups (section "Gateway:FollowUps").</summary>
internal sealed class FollowUpOptions
{
    public const string Section = "Gateway:FollowUps";

    /// <summary>How often each replica looks for due follow-ups.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How far ahead a follow-up may be scheduled.</summary>
    public TimeSpan MaxAhead { get; set; } = TimeSpan.FromDays(90);

    /// <summary>For how long after a follow-up went the customer's answer is offered to its agent first (routing's FollowUpSent).</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A follow-up whose customer wrote after it was scheduled is cancelled when due instead of sent (reason "the customer
    /// wrote first"): the conversation they started is where they are answered, and asking "did the replacement arrive?"
    /// after they wrote about it would show nobody read them. Off: it is sent all the same.
    /// </summary>
    public bool CancelWhenCustomerWrites { get; set; } = true;

    /// <summary>A follow-up being sent longer than this (its replica died mid-way) is taken up again; the reply's key keeps it from going twice.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);
}
