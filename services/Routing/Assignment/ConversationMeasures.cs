using Routing.Contracts;
using Routing.Database;

namespace Routing.Assignment;

/// <summary>
/// What a close adds to a conversation's handle time: the stretch since its assignment (handling_since), to the close; an
/// idle close ends it at the last message either way, since nobody worked on a conversation left silent. A conversation
/// closed while waiting adds nothing. The instruments and the report read the same stored sum.
/// </summary>
internal static class ConversationMeasures
{
    public static TimeSpan? HandledUntilClose(ConversationRow conversation, string? reason, DateTimeOffset now)
    {
        if (conversation.HandlingSince is not { } since || conversation.Status == ConversationStatus.Closed)
        {
            return null;
        }
        var end = reason == CloseReasons.Idle
            ? Later(AgentRow.Utc(conversation.LastMessageAt), conversation.LastReplyAt is { } reply ? AgentRow.Utc(reply) : null)
            : now;
        var handled = end - AgentRow.Utc(since);
        return handled > TimeSpan.Zero ? handled : TimeSpan.Zero;
    }

    /// <summary>A conversation closed before any agent had it: the customer was never served.</summary>
    public static bool Abandoned(ConversationRow conversation) => conversation.FirstAssignedAt is null;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset? b) => b is { } other && other > a ? other : a;
}
