using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Routing.Database;
using Routing.Observability;
using Routing.ServiceLevels;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// Service levels measured on a day of known events: the report and the instruments give the same figures, exactly, per
/// team and channel.
/// </summary>
public sealed class ServiceLevelTests : EngineTest
{
    private protected override void Configure(RoutingOptions options)
    {
        options.FirstResponseTarget["whatsapp"] = TimeSpan.FromMinutes(10);
        options.DefaultFirstResponseTarget = TimeSpan.FromMinutes(15);
    }

    private AgentReplies Replies => Engine.Services.GetRequiredService<AgentReplies>();

    private async Task<ReplyOutcome> ReplyAsync(Guid conversationId, string agentId, DateTimeOffset at) =>
        await Replies.SentAsync(conversationId, agentId, at, CancellationToken.None);

    private async Task<(ServiceLevelGroup Total, IReadOnlyList<ServiceLevelGroup> Groups)> ReportAsync(DateTimeOffset from, DateTimeOffset to,
        string? team = null)
    {
        await using var tx = await Engine.Db.BeginAsync(CancellationToken.None);
        var options = Engine.Services.GetRequiredService<IOptions<RoutingOptions>>().Value; // email's 4 hours by default
        var rows = await ServiceLevelStore.ReportAsync(tx, from, to, team, null, options.FirstResponseTarget, options.DefaultFirstResponseTarget,
            CancellationToken.None);
        return (ServiceLevelGroup.From(rows.Single(r => r.Total)), rows.Where(r => !r.Total).Select(ServiceLevelGroup.From).ToList());
    }

    [Fact]
    public async Task Should_measure_queue_time_first_response_handle_time_abandonment_and_hits_the_same_in_the_report_and_the_instruments()
    {
        using var recorder = new InstrumentRecorder(Engine.Services.GetRequiredService<IMeterFactory>(), RoutingMetrics.MeterName);
        var t0 = Engine.Clock.GetUtcNow();
        await Engine.AddAgentAsync("anna", capacity: 1);

        var first = await Engine.ReceiveAsync("sms", "phone", "+393331000001", "SM-1"); // t0: anna at once
        Engine.Clock.Advance(TimeSpan.FromSeconds(60));
        var second = await Engine.ReceiveAsync("whatsapp", "phone", "393331000002", "wamid.2"); // t0+60: anna is full
        Assert.Equal(("anna", "queued"), (first.AgentId, second.Status));

        Assert.Equal(ReplyOutcome.FirstResponse, await ReplyAsync(first.ConversationId, "anna", t0.AddSeconds(90)));
        Assert.Equal(ReplyOutcome.Later, await ReplyAsync(first.ConversationId, "anna", t0.AddSeconds(90))); // the same again
        Assert.Equal(ReplyOutcome.Later, await ReplyAsync(first.ConversationId, "anna", t0.AddSeconds(300)));
        Assert.Equal(ReplyOutcome.NotAnAgent, await ReplyAsync(second.ConversationId, "routing", t0.AddSeconds(120))); // an auto-reply
        Assert.Equal(ReplyOutcome.NotFound, await ReplyAsync(Guid.NewGuid(), "anna", t0.AddSeconds(120)));

        Engine.Clock.Advance(TimeSpan.FromSeconds(540));
        await Engine.CloseAsync(first.ConversationId); // t0+600: handled 600 s; the waiting one reaches anna after 540 s
        Assert.Equal("anna", (await Engine.ConversationAsync(second.ConversationId)).AgentId);

        Engine.Clock.Advance(TimeSpan.FromSeconds(60));
        var abandoned = await Engine.ReceiveAsync("sms", "phone", "+393331000003", "SM-3"); // t0+660: anna is full again
        Engine.Clock.Advance(TimeSpan.FromSeconds(40));
        await Engine.CloseAsync(abandoned.ConversationId); // t0+700: closed before any agent had it

        Assert.Equal(ReplyOutcome.FirstResponse, await ReplyAsync(second.ConversationId, "anna", t0.AddSeconds(900))); // 840 s: past whatsapp's 10 min

        // the whatsapp customer says nothing more: closed as idle a day later, handled until the last reply (t0+900)
        await Engine.AdvanceAsync(TimeSpan.FromHours(25));
        var idle = await Engine.ConversationAsync(second.ConversationId);
        Assert.Equal(("closed", "idle"), (idle.Status, idle.CloseReason));

        // the first customer returns: anna, who served them, is their preferred agent, and free: a hit
        var returning = await Engine.ReceiveAsync("sms", "phone", "+393331000001", "SM-4");
        Assert.Equal("anna", returning.AgentId);
        Assert.NotEqual(first.ConversationId, returning.ConversationId);

        var (total, groups) = await ReportAsync(t0, Engine.Clock.GetUtcNow().AddSeconds(1));

        Assert.Equal((4L, 0L, 3L, 1L, 2L, 0L), (total.Conversations, total.Waiting, total.Assigned, total.Abandoned, total.Answered, total.Unanswered));
        Assert.Equal(0.25, total.AbandonmentRate);
        Assert.Equal(new DurationSummary(3, 180, 0, 432, 529.2), Rounded(total.TimeInQueue));
        Assert.Equal(new DurationSummary(2, 465, 465, 765, 832.5), Rounded(total.FirstResponse));
        Assert.Equal(new DurationSummary(2, 450, 450, 570, 597), Rounded(total.HandleTime));
        Assert.Equal(new ServiceLevelTarget(null, 1, 1, 0.5), total.ServiceLevel); // the channels' targets differ
        Assert.Equal(new PreferredAgentRate(1, 1, 1.0), total.PreferredAgent);

        Assert.Equal([(null, "sms"), (null, "whatsapp")], groups.Select(g => (g.Team, g.Channel)));
        var sms = groups[0];
        Assert.Equal((3L, 2L, 1L, 1L), (sms.Conversations, sms.Assigned, sms.Abandoned, sms.Answered));
        Assert.Equal(new ServiceLevelTarget(900, 1, 0, 1.0), sms.ServiceLevel);
        Assert.Equal(new DurationSummary(1, 600, 600, 600, 600), Rounded(sms.HandleTime));
        var whatsapp = groups[1];
        Assert.Equal(new ServiceLevelTarget(600, 0, 1, 0.0), whatsapp.ServiceLevel);
        Assert.Equal(new DurationSummary(1, 540, 540, 540, 540), Rounded(whatsapp.TimeInQueue));
        Assert.Equal(new DurationSummary(1, 300, 300, 300, 300), Rounded(whatsapp.HandleTime));
        Assert.Equal(new PreferredAgentRate(0, 0, null), whatsapp.PreferredAgent);

        // the instruments, measured as it happened: each conversation once
        Assert.Equal([0, 540, 0], Values(recorder, "routing.time_in_queue"));
        Assert.Equal([90, 840], Values(recorder, "routing.first_response_time"));
        Assert.Equal([600, 300], Values(recorder, "routing.handle_time"));
        Assert.Equal(["sms:handled", "sms:abandoned", "whatsapp:handled"], recorder.Of("routing.conversations.closed")
            .Select(m => $"{m.Tags["routing.channel"]}:{m.Tags["routing.conversation.outcome"]}"));
        Assert.Equal(["sms:none"], recorder.Of("routing.preferred.hits").Select(m => $"{m.Tags["routing.channel"]}:{m.Tags["routing.team"]}"));
        Assert.All(recorder.Of("routing.first_response_time"), m => Assert.Equal("none", m.Tags["routing.team"]));
    }

    [Fact]
    public async Task Should_report_a_team_on_its_own_and_leave_out_conversations_outside_the_period()
    {
        var t0 = Engine.Clock.GetUtcNow();
        await Engine.AddAgentAsync("anna", teams: ["billing"]);
        var before = await Engine.ReceiveAsync("sms", "phone", "+393332000001", "SM-b1");
        await Engine.CloseAsync(before.ConversationId);
        Engine.Clock.Advance(TimeSpan.FromHours(1));
        var billing = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<b1@example.com>",
            new Dictionary<string, string> { ["team"] = "billing" });
        var anyone = await Engine.ReceiveAsync("sms", "phone", "+393332000002", "SM-b2");
        Assert.Equal(("anna", "anna"), (billing.AgentId, anyone.AgentId));
        await ReplyAsync(billing.ConversationId, "anna", Engine.Clock.GetUtcNow().AddHours(5)); // past email's 4 hours
        Engine.Clock.Advance(TimeSpan.FromHours(6));

        var (total, groups) = await ReportAsync(t0.AddMinutes(30), t0.AddDays(1));
        Assert.Equal(2L, total.Conversations);
        Assert.Equal([("billing", "email"), (null, "sms")], groups.Select(g => (g.Team, g.Channel)).OrderBy(g => g.Channel));
        Assert.Equal(new ServiceLevelTarget(900, 0, 1, 0.0), groups.Single(g => g.Channel == "sms").ServiceLevel); // unanswered for 6 hours

        var (team, teamGroups) = await ReportAsync(t0.AddMinutes(30), t0.AddDays(1), team: "billing");
        Assert.Equal((1L, 1L), (team.Conversations, team.Answered));
        Assert.Equal(new ServiceLevelTarget(4 * 3600, 0, 1, 0.0), team.ServiceLevel);
        Assert.Equal(("billing", "email"), (teamGroups.Single().Team, teamGroups.Single().Channel));

        var (empty, none) = await ReportAsync(t0.AddDays(2), t0.AddDays(3));
        Assert.Equal((0L, (double?)null, (double?)null), (empty.Conversations, empty.AbandonmentRate, empty.TimeInQueue.P50Seconds));
        Assert.Empty(none);
    }

    private static double[] Values(InstrumentRecorder recorder, string instrument) =>
        recorder.Of(instrument).Select(m => Math.Round(m.Value, 3)).ToArray();

    private static DurationSummary Rounded(DurationSummary d) =>
        new(d.Count, Round(d.AverageSeconds), Round(d.P50Seconds), Round(d.P90Seconds), Round(d.P99Seconds));

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
