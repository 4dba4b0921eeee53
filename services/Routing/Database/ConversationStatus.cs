namespace Routing.Database;

internal static class ConversationStatus
{
    public const string Open = "open";
    public const string Held = "held";
    public const string Queued = "queued";
    public const string Closed = "closed";

    public static bool IsValid(string? value) => value is Open or Held or Queued or Closed;
}
