using System.Globalization;
using System.Text;

namespace Routing.Chaos;

/// <summary>What the checker found after one scenario. Clean when nothing was lost, doubled, stranded or broken.</summary>
public sealed record Verdict(string Scenario)
{
    public int Offered { get; init; }
    public int Acknowledged { get; init; }
    /// <summary>Webhooks answered with an error for good (the provider was told; Twilio does not retry).</summary>
    public int Refused { get; init; }
    public int Routed { get; init; }
    /// <summary>Acknowledged to the provider, never routed.</summary>
    public int Lost { get; init; }
    /// <summary>A message routed twice, delivered to one agent's tool under two webhook-ids, or a reply sent twice.</summary>
    public int Duplicated { get; init; }
    /// <summary>Messages left in error queues (beyond the poison injected), outbox rows unpublished, tool deliveries given up.</summary>
    public long Stranded { get; init; }
    public int Delivered { get; init; }
    /// <summary>Routed messages no agent's tool received.</summary>
    public int Undelivered { get; init; }
    public int RepliesAccepted { get; init; }
    public int RepliesSent { get; init; }
    /// <summary>Replies the gateway accepted that never reached the provider.</summary>
    public int RepliesLost { get; init; }
    public long OverCapacity { get; init; }
    /// <summary>Agents whose count of conversations disagrees with their conversations.</summary>
    public long CountDrift { get; init; }
    public long TwoOpen { get; init; }
    /// <summary>From the end of the fault until everything acknowledged 2 s before was routed; null if it never was.</summary>
    public TimeSpan? Recovery { get; init; }
    /// <summary>Whether the stack came to rest (everything routed, delivered, answered) before the checker's patience ran out.</summary>
    public bool Settled { get; init; }
    public IReadOnlyList<string> Findings { get; init; } = [];

    /// <summary>Why the scenario could not be run to the end (the fault or the checker failed), if it could not.</summary>
    public string? Broken { get; init; }

    public static Verdict CouldNotRun(string scenario, Exception exception) => new(scenario)
    {
        Broken = exception.Message,
        Findings = [$"the scenario could not run to the end: {exception.GetType().Name}: {exception.Message}"],
    };

    public bool Clean => Broken is null && Lost == 0 && Duplicated == 0 && Stranded == 0 && Undelivered == 0 && RepliesLost == 0 && OverCapacity == 0 && CountDrift == 0
        && TwoOpen == 0 && Settled;

    public static string Header =>
        "| scenario | acknowledged / offered | routed | lost | duplicated | stranded | delivered to tools | replies sent / accepted | replies lost | over capacity | count drift | two open | recovery |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Acknowledged} / {Offered}{(Refused > 0 ? $" ({Refused} refused)" : "")} | {Routed} | {Lost} | {Duplicated} | {Stranded} | {Delivered}{(Undelivered > 0 ? $" ({Undelivered} not)" : "")} | {RepliesSent} / {RepliesAccepted} | {RepliesLost} | {OverCapacity} | {CountDrift} | {TwoOpen} | {(Recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "never")}{(Settled ? "" : ", unsettled")} |");

    public override string ToString()
    {
        var text = new StringBuilder(Row);
        foreach (var finding in Findings)
        {
            text.Append("\n  - ").Append(finding);
        }
        return text.ToString();
    }
}
