namespace Routing.Database;

internal static class TimerKinds
{
    public const string Hold = "hold";
    public const string Grace = "grace";
    public const string Offer = "offer";
}
