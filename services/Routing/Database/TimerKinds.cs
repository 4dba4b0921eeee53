namespace Routing.Database;

internal static class TimerKinds
{
    public const string Hold = "hold";
    public const string Grace = "grace";
    public const string Offer = "offer";

    /// <summary>A warm transfer's offer ends (expired) unless its receiver answered.</summary>
    public const string Transfer = "transfer";

    /// <summary>A queued conversation's requirement (language, skills) relaxes: it is routed again with fewer.</summary>
    public const string Relax = "relax";

    /// <summary>A queued conversation reached its team's queue time limit: it moves to the overflow team.</summary>
    public const string Overflow = "overflow";
}
