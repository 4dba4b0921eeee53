using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>
/// The routing receipt as one sentence for the agent: "you are the customer's owner", "you handled this customer
/// before; ben: 3/3 open", "fallback: anna away since 09:12". Tools that want more have the receipt itself.
/// </summary>
internal static class ReceiptText
{
    private static readonly Dictionary<string, string> Triggers = new(StringComparer.Ordinal)
    {
        ["hold-expired"] = "the hold for the preferred agents ended",
        ["slot-freed"] = "you freed a slot",
        ["offline-grace"] = "the previous agent was offline too long",
        ["offer-declined"] = "the previous agent declined",
        ["offer-expired"] = "the previous offer expired",
        ["merged"] = "customers were merged",
    };

    public static string For(RoutingReceiptSummary receipt, string agentId)
    {
        var passedOver = receipt.Candidates
            .Where(c => c.AgentId != agentId && c.Source is "owner" or "history")
            .Select(c => $"{c.AgentId}: {c.Verdict}")
            .ToList();
        var others = passedOver.Count > 0 ? "; " + string.Join("; ", passedOver) : "";
        var why = receipt.Reason switch
        {
            "preferred-owner" => "you are the customer's owner" + others,
            "preferred-history" => "you handled this customer before" + others,
            "held-agent" => "the conversation was held for you as a preferred agent" + others,
            "fallback" => passedOver.Count > 0 ? "fallback: " + string.Join("; ", passedOver) : "fallback: the customer has no preferred agent available",
            "queue" => "next in the queue for you",
            _ => receipt.Reason + others,
        };
        return Triggers.TryGetValue(receipt.Trigger, out var trigger) ? $"{why} ({trigger})" : why;
    }
}
