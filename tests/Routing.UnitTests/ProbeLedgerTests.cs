using Microsoft.Extensions.Time.Testing;
using Routing.ServiceDefaults;

namespace Routing.UnitTests;

/// <summary>
/// When the bus watchdog calls a process wedged (and restarts it) and when it waits: only a probe the broker confirmed and
/// nobody consumed, with nothing consumed since, for longer than the limit.
/// </summary>
public sealed class ProbeLedgerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));

    [Fact]
    public void Should_call_the_bus_wedged_when_a_confirmed_probe_waits_past_the_limit()
    {
        var ledger = new ProbeLedger(_time);
        ledger.Confirmed(1);
        ledger.Consumed(1);
        ledger.Confirmed(2);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(ledger.Overdue(Limit));

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(1), ledger.Overdue(Limit));
    }

    [Fact]
    public void Should_count_from_the_oldest_unconsumed_probe_not_the_newest()
    {
        var ledger = new ProbeLedger(_time);
        ledger.Confirmed(1);
        for (var sequence = 2; sequence <= 13; sequence++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            ledger.Confirmed(sequence);
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(1), ledger.Overdue(Limit));
    }

    [Fact]
    public void Should_wait_out_a_broker_that_confirms_nothing()
    {
        // a broker outage: the sends fail, nothing is confirmed, and nothing is consumed for minutes
        var ledger = new ProbeLedger(_time);
        ledger.Confirmed(1);
        ledger.Consumed(1);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(ledger.Overdue(Limit));
    }

    [Fact]
    public void Should_forget_a_probe_lost_with_a_restarted_broker_once_a_later_one_is_consumed()
    {
        // probe 1 died with the broker's non-durable probe queue; the endpoint reconnected and consumed probe 2
        var ledger = new ProbeLedger(_time);
        ledger.Confirmed(1);
        _time.Advance(TimeSpan.FromSeconds(30));
        ledger.Confirmed(2);
        ledger.Consumed(2);

        _time.Advance(TimeSpan.FromSeconds(45));

        Assert.Null(ledger.Overdue(Limit));
    }

    [Fact]
    public void Should_ignore_a_confirmation_that_arrives_after_its_probe_was_consumed()
    {
        // the consumer can be quicker than the broker's confirmation
        var ledger = new ProbeLedger(_time);
        ledger.Consumed(1);
        ledger.Confirmed(1);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(ledger.Overdue(Limit));
    }
}
