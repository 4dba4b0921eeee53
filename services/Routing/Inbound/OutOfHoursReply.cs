using Routing.Assignment;
using Routing.Contracts;
using Routing.Database;
using Routing.Policy;

namespace Routing.Inbound;

/// <summary>
/// A customer who writes while the hours that apply are closed (the conversation's team's, else the centre's), and
/// whom nobody could take, is told when to expect an answer: ConversationAutoReplied (out-of-hours), which the agent
/// gateway sends on the customer's channel, and a receipt. Once per conversation: it is only asked for the message that started (or
/// reopened) it.
/// </summary>
internal static class OutOfHoursReply
{
    public static async Task TellIfClosedAsync(RoutingTransaction tx, ConversationRow conversation, InboundMessageRow first, BusinessHoursOptions centre,
        CancellationToken ct)
    {
        var json = conversation.Team is { } team ? await TeamStore.HoursAsync(tx, team, ct) ?? centre.ToJson() : centre.ToJson();
        if (json is null || WorkingHours.FromJson(json) is var hours && hours.IsOpen(tx.Now))
        {
            return;
        }
        var opens = hours.OpensAt(tx.Now);
        var text = centre.AutoReply.Replace("{opens}", opens is { } at ? hours.Describe(at) : "soon", StringComparison.Ordinal);
        AutoReplies.Publish(tx, conversation, RoutingTriggers.NewConversation, AutoReplyReasons.OutOfHours, first.Answered(conversation.Id),
            text, opens, hours.Zone.Id);
    }
}
