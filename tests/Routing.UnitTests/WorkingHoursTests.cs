using Routing.Contracts;
using Routing.Policy;

namespace Routing.UnitTests;

public sealed class WorkingHoursTests
{
    private const string Rome = """
        {"timeZone":"Europe/Rome","weekly":{"monday":["09:00-13:00","14:00-18:00"],"tuesday":["09:00-18:00"],"friday":["22:00-24:00"],"saturday":["00:00-02:00"]},
         "holidays":["2026-12-08"]}
        """;

    private static WorkingHours Hours(string json = Rome) => Assert.IsType<WorkingHours>(WorkingHours.TryParse(json, out var hours, out var error) ? hours : throw new Xunit.Sdk.XunitException(error));

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Should_be_open_in_its_time_zone_and_closed_between_ranges_at_night_and_on_holidays()
    {
        var hours = Hours();

        Assert.True(hours.IsOpen(Utc(11, 23, 8)));   // Monday 09:00 in Rome
        Assert.False(hours.IsOpen(Utc(11, 23, 7, 59)));
        Assert.False(hours.IsOpen(Utc(11, 23, 12, 30))); // Monday 13:30 in Rome: lunch
        Assert.False(hours.IsOpen(Utc(11, 25, 10)));  // Wednesday: not listed
        Assert.False(hours.IsOpen(Utc(12, 8, 10)));   // Tuesday 8 December: a holiday
        Assert.True(hours.IsOpen(Utc(12, 15, 10)));   // the Tuesday after
    }

    [Fact]
    public void Should_say_when_an_opening_ends_across_midnight_and_when_the_next_begins()
    {
        var hours = Hours();

        Assert.Equal(Utc(11, 23, 12), hours.ClosesAt(Utc(11, 23, 10)));           // 13:00 in Rome
        Assert.Equal(Utc(11, 28, 1), hours.ClosesAt(Utc(11, 27, 22)));            // Friday 23:00 → Saturday 02:00 in Rome
        Assert.Null(hours.ClosesAt(Utc(11, 25, 10)));
        Assert.Equal(Utc(11, 23, 13), hours.OpensAt(Utc(11, 23, 12, 30)));        // after lunch
        Assert.Equal(Utc(11, 27, 21), hours.OpensAt(Utc(11, 25, 10)));            // Friday 22:00 in Rome
        Assert.Equal("Friday 22:00 (Europe/Rome)", hours.Describe(Utc(11, 27, 21)));
    }

    [Fact]
    public void Should_follow_daylight_saving_time()
    {
        var hours = Hours("""{"timeZone":"Europe/Rome","weekly":{"monday":["09:00-17:00"]}}""");

        Assert.True(hours.IsOpen(new DateTimeOffset(2026, 7, 6, 7, 0, 0, TimeSpan.Zero)));   // 09:00 CEST = 07:00 UTC
        Assert.False(hours.IsOpen(new DateTimeOffset(2026, 1, 5, 7, 30, 0, TimeSpan.Zero))); // 08:30 CET
    }

    [Theory]
    [InlineData("""{"weekly":{}}""", "timeZone")]
    [InlineData("""{"timeZone":"Mars/Olympus"}""", "not a time zone")]
    [InlineData("""{"timeZone":"UTC","weekly":{"funday":["09:00-10:00"]}}""", "not a day")]
    [InlineData("""{"timeZone":"UTC","weekly":{"monday":["18:00-09:00"]}}""", "not a range")]
    [InlineData("""{"timeZone":"UTC","holidays":["25/12/2026"]}""", "not a date")]
    [InlineData("""{"timeZone":"UTC","openAt":"9"}""", "is not hours")]
    public void Should_refuse_hours_it_cannot_read_saying_what_is_wrong(string json, string problem)
    {
        Assert.False(WorkingHours.TryParse(json, out _, out var error));
        Assert.Contains(problem, error);
    }

    [Fact]
    public void Should_not_hold_for_an_owner_whose_shift_ends_before_the_hold_would()
    {
        var now = Utc(11, 23, 16, 59); // Monday 17:59 in Rome, a minute before anna's shift ends
        var anna = new AgentSnapshot
        {
            Id = "anna", Presence = AgentPresences.Available, PresenceChangedAt = now.AddHours(-1), OpenCount = 2, Capacity = 2, Channels = ["email"],
            Hours = Hours(),
        };
        var owners = RoutingPolicy.PreferredSet([anna], [], now, TimeSpan.FromDays(90));

        var email = RoutingPolicy.EvaluatePreferred("email", owners, new HashSet<string>(), true, TimeSpan.FromMinutes(30), now);
        var earlier = RoutingPolicy.EvaluatePreferred("email", owners, new HashSet<string>(), true, TimeSpan.FromMinutes(30), Utc(11, 23, 15));

        Assert.IsType<PreferredOutcome.Fallback>(email);
        Assert.Equal("2/2 open; shift ends 2026-11-23 17:00 UTC, before the hold would", Assert.Single(email.Verdicts).Verdict);
        Assert.IsType<PreferredOutcome.Hold>(earlier);
    }
}
