using Routing.Contracts;
using System.Collections.Concurrent;

namespace Routing.Demo;

/// <summary>Prints each routing event as it arrives, and lets the story wait for the one it expects.</summary>
internal sealed class DecisionPrinter
{
    private readonly ConcurrentDictionary<Guid, string> _names = new();
    private readonly ConcurrentQueue<object> _seen = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public void On(object message)
    {
        var line = message switch
        {
            MessageRouted m => Remember(m),
            ConversationAssigned a => $"ASSIGNED   {a.Channel,-9} {a.CustomerDisplayName ?? Who(a.CustomerId),-14} -> {a.AgentId,-6} {a.Receipt.Reason} ({Chosen(a.Receipt)}){(a.RequiresAccept ? " [offer]" : "")}" +
                (a.TransferredBy is { } by ? $" [transferred by {by}: {a.TransferNote}]" : ""),
            ConversationHeld h => $"HELD       {h.Channel,-9} {Who(h.CustomerId),-14} -> waiting for {string.Join(", ", h.HeldFor)} until {h.HoldUntil:HH:mm:ss}",
            ConversationQueued q => $"QUEUED     {q.Channel,-9} {Who(q.CustomerId),-14} -> {q.Reason}",
            ConversationReleased r => $"RELEASED   {"",-9} {Who(r.CustomerId),-14} <- {r.AgentId} ({r.Reason})",
            ConversationClosed c => $"CLOSED     {c.Channel,-9} {Who(c.CustomerId),-14} by {c.ClosedBy}{(c.Reason is { } reason ? $" ({reason})" : "")}",
            ConversationTransferEnded t => $"TRANSFER   {"",-9} {t.ConversationId.ToString()[..8],-14} {t.RequestedBy} -> {t.ToAgentId ?? "team " + t.ToTeam}: {t.Outcome}{(t.Reason is { } why ? $" ({why})" : "")}",
            ConversationAutoReplied o => $"AUTO-REPLY {o.Channel,-9} {Who(o.CustomerId),-14} told ({o.Reason}): \"{o.Text}\"",
            OutboundMessageSent s => $"SENT       {s.Channel,-9} reply in {s.ConversationId.ToString()[..8]} as {s.ProviderMessageId}",
            OutboundMessageFailed f => $"FAILED     {f.Channel,-9} reply in {f.ConversationId.ToString()[..8]}: {f.ErrorCode} {f.ErrorMessage} (permanent: {f.Permanent})",
            _ => null,
        };
        if (line is not null)
        {
            Console.WriteLine($"{DateTimeOffset.Now:HH:mm:ss}  {line}");
        }
        _seen.Enqueue(message);
        _arrived.Release();
    }

    public async Task<T> WaitForAsync<T>(Func<T, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_seen.OfType<T>().FirstOrDefault(predicate) is { } found)
            {
                return found;
            }
            await _arrived.WaitAsync(cts.Token);
        }
    }

    private string? Remember(MessageRouted m)
    {
        if (m.Sender.DisplayName is { } name)
        {
            _names.TryAdd(m.CustomerId, name);
        }
        return $"MESSAGE    {m.Channel,-9} {Who(m.CustomerId),-14} \"{m.Text}\" -> {m.ConversationStatus}{(m.AgentId is null ? "" : " with " + m.AgentId)}";
    }

    private string Who(Guid customerId) => _names.TryGetValue(customerId, out var name) ? name : customerId.ToString()[..8];

    private static string Chosen(RoutingReceiptSummary receipt) =>
        receipt.Candidates.FirstOrDefault(c => c.Verdict.StartsWith("chosen", StringComparison.Ordinal))?.Verdict ?? receipt.Outcome;
}
