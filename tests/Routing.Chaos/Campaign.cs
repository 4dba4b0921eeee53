using System.Diagnostics;
using System.Globalization;

namespace Routing.Chaos;

/// <summary>How big a campaign is: the load each scenario offers, when its fault starts, how many agents serve it.</summary>
public sealed record CampaignOptions(double Rate, TimeSpan Duration, int Agents, int Capacity)
{
    /// <summary>make chaos: 40 webhooks a second for 60 s across the five channels, 20 agents.</summary>
    public static readonly CampaignOptions Full = new(40, TimeSpan.FromSeconds(60), 20, 50);

    /// <summary>make test: the same at a quarter of the rate and half the time.</summary>
    public static readonly CampaignOptions Small = new(10, TimeSpan.FromSeconds(30), 6, 50);

    /// <summary>The fault starts this far into the load, so that it strikes with work in flight and load follows it.</summary>
    public TimeSpan FaultAt => Duration * 0.3;

    /// <summary>How long the stack may take to come to rest after the load, before the checker reads what is left.</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// Runs one scenario: agents hired, load started, the fault injected mid-load and over, the recovery timed, the stack left
/// to come to rest, then every store read by the <see cref="Checker"/>. Each scenario has its own run id: its customers'
/// messages, agents and replies carry it, so scenarios on one instance never count each other's.
/// </summary>
public static class Campaign
{
    public static async Task<Verdict> RunAsync(ChaosStack stack, Scenario scenario, CampaignOptions options, TextWriter log, CancellationToken ct = default)
    {
        var run = Random.Shared.Next(10_000_000, 100_000_000).ToString(CultureInfo.InvariantCulture);
        var checker = new Checker(stack, run);
        await stack.StartServersAsync();
        await stack.StartServicesAsync();
        await using var floor = await Floor.OpenAsync(stack, run, options.Agents, scenario.Capacity ?? options.Capacity);
        var fault = new FaultContext(stack, floor, checker, ct);
        if (scenario.Prepare is { } prepare)
        {
            await prepare(fault);
        }
        try
        {
            return await RunLoadAsync(stack, scenario, options, log, checker, floor, fault, ct);
        }
        finally
        {
            if (scenario.Cleanup is { } cleanup)
            {
                await cleanup(fault);
            }
        }
    }

    private static async Task<Verdict> RunLoadAsync(ChaosStack stack, Scenario scenario, CampaignOptions options, TextWriter log, Checker checker, Floor floor,
        FaultContext fault, CancellationToken ct)
    {
        var run = checker.Run;
        var before = await checker.ReadStoresAsync(ct);
        var load = new Load(run, new LoadOptions(options.Rate, options.Duration, DuplicateDeliveries: scenario.DuplicateDeliveries, ByMail: scenario.ByMail));
        log.WriteLine($"[{scenario.Name}] run {run}: {scenario.What}");

        var clock = Stopwatch.StartNew();
        var sending = load.RunAsync(clock, ct);
        await Task.Delay(options.FaultAt, ct);
        var brokeAt = clock.Elapsed;
        await scenario.Break(fault);
        var healedAt = clock.Elapsed;
        log.WriteLine($"[{scenario.Name}] fault from {brokeAt.TotalSeconds:0.0} s to {healedAt.TotalSeconds:0.0} s");

        // Recovery: the first moment after the fault when everything acknowledged 2 s earlier is routed.
        TimeSpan? recovery = null;
        var settledAt = clock.Elapsed + options.Duration + options.SettleLimit;
        var settled = false;
        IReadOnlyDictionary<string, int> routed = new Dictionary<string, int>();
        while (clock.Elapsed < settledAt)
        {
            try
            {
                routed = await checker.RoutedAsync(ct);
                var now = clock.Elapsed;
                var backlog = load.Sent.Any(w => w.AcknowledgedAt is { } acked && acked < now - TimeSpan.FromSeconds(2) && !routed.ContainsKey(w.Token));
                if (!backlog && recovery is null)
                {
                    recovery = now - healedAt;
                }
                if (sending.IsCompleted && await RestingAsync(load, floor, checker, routed, ct))
                {
                    settled = true;
                    break;
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // a store still down: read again
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        await sending;
        log.WriteLine($"[{scenario.Name}] {(settled ? "at rest" : "not at rest")} {clock.Elapsed.TotalSeconds:0} s after the start");
        return await JudgeAsync(scenario, load, floor, checker, before, fault.Poison, recovery, settled, ct);
    }

    /// <summary>Everything acknowledged is routed, every routed message reached a tool, agents are done, every accepted reply went out.</summary>
    private static async Task<bool> RestingAsync(Load load, Floor floor, Checker checker, IReadOnlyDictionary<string, int> routed, CancellationToken ct)
    {
        if (load.Sent.Any(w => w.Acknowledged && !routed.ContainsKey(w.Token)) || !floor.Idle)
        {
            return false;
        }
        var delivered = floor.Deliveries.SelectMany(d => d.Tokens).ToHashSet();
        if (routed.Keys.Any(t => !delivered.Contains(t)))
        {
            return false;
        }
        var sent = await checker.SentRepliesAsync(ct);
        return floor.Replies.Where(r => r.Accepted).All(r => sent.ContainsKey(r.Token)) && (await checker.ToolDeliveriesAsync(ct)).Pending == 0;
    }

    private static async Task<Verdict> JudgeAsync(Scenario scenario, Load load, Floor floor, Checker checker, StoreReading before, int poison, TimeSpan? recovery,
        bool settled, CancellationToken ct)
    {
        var routed = await checker.RoutedAsync(ct);
        var after = await checker.ReadStoresAsync(ct);
        var sent = await checker.SentRepliesAsync(ct);
        var (overCapacity, drift, twoOpen) = await checker.InvariantsAsync(ct);
        var (pending, exhausted) = await checker.ToolDeliveriesAsync(ct);
        var webhooks = load.Sent.ToList();
        var acknowledged = webhooks.Where(w => w.Acknowledged).ToList();
        var lost = acknowledged.Where(w => !routed.ContainsKey(w.Token)).ToList();

        // Delivered twice: one agent's tool got the message under two webhook-ids, though the conversation never left the agent.
        var deliveries = floor.Deliveries.ToList();
        var released = deliveries.Where(d => d.Type == "conversation.released").Select(d => (d.AgentId, d.ConversationId)).ToHashSet();
        var deliveredTwice = deliveries
            .Where(d => d.Type != Floor.Resync && !released.Contains((d.AgentId, d.ConversationId)))
            .SelectMany(d => d.Tokens.Select(t => (d.AgentId, Token: t, d.WebhookId)))
            .GroupBy(d => (d.AgentId, d.Token))
            .Where(g => g.Select(d => d.WebhookId).Distinct().Count() > 1)
            .ToList();
        var delivered = deliveries.SelectMany(d => d.Tokens).ToHashSet();
        var undelivered = routed.Keys.Where(t => !delivered.Contains(t)).ToList();
        var routedTwice = routed.Where(r => r.Value > 1).ToList();
        var replies = floor.Replies.ToList();
        var accepted = replies.Where(r => r.Accepted).ToList();
        var repliesLost = accepted.Where(r => !sent.ContainsKey(r.Token)).ToList();
        var sentTwice = sent.Where(s => s.Value > 1).ToList();
        var errorsAdded = after.ErrorQueueMessages - before.ErrorQueueMessages;

        var findings = new List<string>();
        void Finding(bool when, string what)
        {
            if (when)
            {
                findings.Add(what);
            }
        }
        Finding(lost.Count > 0, $"lost: {Sample(lost.Select(w => $"{w.Token} ({w.Channel})"))}");
        Finding(routedTwice.Count > 0, $"routed twice: {Sample(routedTwice.Select(r => r.Key))}");
        Finding(deliveredTwice.Count > 0, $"delivered twice to one agent: {Sample(deliveredTwice.Select(g => $"{g.Key.Token} to {g.Key.AgentId}"))}");
        Finding(sentTwice.Count > 0, $"replies sent more than once: {Sample(sentTwice.Select(s => $"{s.Key} x{s.Value}"))}");
        Finding(repliesLost.Count > 0, $"replies accepted, never sent: {Sample(repliesLost.Select(r => $"{r.Token} ({r.Channel})"))}");
        Finding(undelivered.Count > 0, $"routed, never at a tool: {Sample(undelivered)}");
        Finding(errorsAdded != poison, $"error queues grew by {errorsAdded} with {poison} poison messages injected: " +
            string.Join(", ", after.ErrorQueues.Where(q => q.Value != before.ErrorQueues.GetValueOrDefault(q.Key)).Select(q => $"{q.Key} +{q.Value - before.ErrorQueues.GetValueOrDefault(q.Key)}")));
        Finding(after.OutboxWaiting > 0, $"{after.OutboxWaiting} outbox rows unpublished");
        Finding(after.OutboxQuarantined > before.OutboxQuarantined, $"{after.OutboxQuarantined - before.OutboxQuarantined} outbox rows quarantined");
        Finding(exhausted > 0 || pending > 0, $"tool deliveries: {pending} pending, {exhausted} exhausted");
        var refused = webhooks.Where(w => !w.Acknowledged).ToList();
        Finding(refused.Count > 0, $"refused to the provider: {string.Join(", ", refused.GroupBy(w => $"{w.Channel} {w.LastAnswer}").Select(g => $"{g.Count()} {g.Key}"))}");

        return new Verdict(scenario.Name)
        {
            Offered = webhooks.Count,
            Acknowledged = acknowledged.Count,
            Refused = refused.Count,
            Routed = routed.Count,
            Lost = lost.Count,
            Duplicated = routedTwice.Count + deliveredTwice.Count + sentTwice.Count,
            Stranded = Math.Max(0, errorsAdded - poison) + after.OutboxWaiting + Math.Max(0, after.OutboxQuarantined - before.OutboxQuarantined) + exhausted,
            Delivered = routed.Keys.Count(delivered.Contains),
            Undelivered = undelivered.Count,
            RepliesAccepted = accepted.Count,
            RepliesSent = accepted.Count(r => sent.ContainsKey(r.Token)),
            RepliesLost = repliesLost.Count,
            OverCapacity = overCapacity,
            CountDrift = drift,
            TwoOpen = twoOpen,
            Recovery = recovery,
            Settled = settled,
            Findings = findings,
        };
    }

    private static string Sample(IEnumerable<string> items)
    {
        var all = items.ToList();
        return string.Join(", ", all.Take(5)) + (all.Count > 5 ? $" and {all.Count - 5} more" : "");
    }
}
