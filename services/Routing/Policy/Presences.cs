namespace Routing.Policy;

internal static class Presences
{
    public const string Available = "available";
    public const string Away = "away";
    public const string Offline = "offline";

    public static bool IsValid(string? value) => value is Available or Away or Offline;
}
