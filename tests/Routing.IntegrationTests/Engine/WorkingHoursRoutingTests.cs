using Routing.Contracts;
using Routing.Database;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>Business hours and shifts: out of hours the customer is told when to expect an answer; nobody is held for past their shift.</summary>
public sealed class WorkingHoursRoutingTests : EngineTest
{
    private const string Weekdays = """{"timeZone":"Europe/Rome","weekly":{"monday":["09:00-18:00"],"tuesday":["09:00-18:00"],"wednesday":["09:00-18:00"],"thursday":["09:00-18:00"],"friday":["09:00-18:00"]}}""";

    private protected override void Configure(RoutingOptions options)
    {
        options.BusinessHours.TimeZone = "Europe/Rome";
        foreach (var day in new[] { "monday", "tuesday", "wednesday", "thursday", "friday" })
        {
            options.BusinessHours.Weekly[day] = ["09:00-18:00"];
        }
        options.Requirements.SkillRules.Add(new SkillRule { Skill = "urgent", Team = "night", Keywords = ["urgent"] });
    }

    [Fact]
    public async Task Should_tell_a_customer_who_writes_out_of_hours_when_to_expect_an_answer_once()
    {
        Engine.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero)); // Saturday

        var routed = await Engine.ReceiveAsync(TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.1", "Ciao, il mio ordine?",
            at: Engine.Clock.GetUtcNow()));
        await Engine.ReceiveAsync(TestMessages.Inbound("whatsapp", "phone", "393331234567", "wamid.2", "Ci siete?", at: Engine.Clock.GetUtcNow()));

        Assert.Equal("queued", routed.Status);
        var told = Assert.Single(await Engine.EventsAsync<ConversationAutoReplied>());
        Assert.Equal((routed.ConversationId, "whatsapp", "+15550001111", "+393331234567"), (told.ConversationId, told.Channel, told.ChannelAccount, told.Message.Sender.Value));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero), told.OpensAt); // Monday 09:00 in Rome
        Assert.Equal("Thank you for your message. We are closed right now and open again Monday 09:00 (Europe/Rome); an agent will answer you then.", told.Text);
        Assert.Equal(AutoReplyReasons.OutOfHours, told.Reason);
        Assert.Contains(await Engine.DecisionsAsync(routed.ConversationId), d => d.Outcome == RoutingOutcomes.AutoReplied);
    }

    [Fact]
    public async Task Should_not_auto_reply_in_hours_or_when_someone_takes_it_or_when_its_team_is_open()
    {
        var inHours = await Engine.ReceiveAsync("whatsapp", "phone", "393330000001", "wamid.a"); // Monday 10:00 in Rome, nobody available
        Engine.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        await Engine.AddAgentAsync("owl", teams: ["night"]);
        await using (var tx = await Engine.Db.BeginAsync(CancellationToken.None))
        {
            await TeamStore.SetHoursAsync(tx, "night", """{"timeZone":"UTC","weekly":{"saturday":["00:00-24:00"],"sunday":["00:00-24:00"]}}""", CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        await Engine.SetPresenceAsync("owl", AgentPresences.Away);
        var urgent = await Engine.ReceiveAsync(TestMessages.Inbound("sms", "phone", "+393330000002", "SM-u", "This is urgent, my order", at: Engine.Clock.GetUtcNow()));
        await Engine.SetPresenceAsync("owl", AgentPresences.Available);
        var taken = await Engine.ReceiveAsync("whatsapp", "phone", "393330000003", "wamid.c");

        Assert.Equal(("queued", "queued", "owl"), (inHours.Status, urgent.Status, taken.AgentId));
        Assert.Equal("night", (await Engine.ConversationAsync(urgent.ConversationId)).Team);
        Assert.Empty(await Engine.EventsAsync<ConversationAutoReplied>());
    }

    [Fact]
    public async Task Should_set_agents_shifts_and_teams_hours_and_refuse_hours_it_cannot_read()
    {
        await Engine.AddAgentAsync("anna");

        var updated = await Engine.Agents.UpdateAsync("anna", new AgentChanges(WorkingHours: Weekdays), CancellationToken.None);
        Assert.Equal("Europe/Rome", updated!.ToSnapshot().Hours!.Zone.Id);
        var cleared = await Engine.Agents.UpdateAsync("anna", new AgentChanges(ClearHours: true), CancellationToken.None);
        Assert.Null(cleared!.WorkingHours);
        Assert.False(Policy.WorkingHours.TryParse("""{"timeZone":"Europe/Atlantis"}""", out _, out var error));
        Assert.Contains("Europe/Atlantis", error);
    }
}
