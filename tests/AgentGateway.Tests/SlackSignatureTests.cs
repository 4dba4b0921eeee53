using System.Text;
using Routing.AgentGateway.Slack;

namespace AgentGateway.Tests;

/// <summary>
/// Slack's request signing against the example in Slack's "Verifying requests from Slack": the slash-command
/// body, signing secret 8f742231b10e8888abcd99yyyzzz85a5 and timestamp 1531420618 give
/// v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503 (checked with Python's hmac too).
/// </summary>
public sealed class SlackSignatureTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
        "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands" +
        "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
    private static readonly DateTimeOffset Sent = DateTimeOffset.FromUnixTimeSeconds(1531420618);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    [Fact]
    public void Should_reproduce_slacks_documented_signature() => Assert.Equal(Expected, SlackSignature.Compute(Secret, Timestamp, Body));

    [Fact]
    public void Should_accept_the_documented_request_within_the_window() =>
        Assert.Equal(SlackCheck.Valid, SlackSignature.Verify(Secret, Timestamp, Expected, Body, Sent.AddSeconds(30), Window));

    /// <summary>A timestamp beyond what a date can hold threw before the signature was checked: 500 to anyone (issue 16).</summary>
    [Theory]
    [InlineData("99999999999999")]
    [InlineData("9223372036854775807")]
    public void Should_refuse_a_timestamp_out_of_range_without_throwing(string timestamp) =>
        Assert.Equal(SlackCheck.Stale, SlackSignature.Verify(Secret, timestamp, Expected, Body, Sent, Window));

    [Fact]
    public void Should_refuse_a_replay_after_the_window() =>
        Assert.Equal(SlackCheck.Stale, SlackSignature.Verify(Secret, Timestamp, Expected, Body, Sent.AddMinutes(6), Window));

    [Fact]
    public void Should_refuse_a_changed_body_or_another_secret()
    {
        var changed = Body.Append((byte)'x').ToArray();

        Assert.Equal(SlackCheck.Invalid, SlackSignature.Verify(Secret, Timestamp, Expected, changed, Sent, Window));
        Assert.Equal(SlackCheck.Invalid, SlackSignature.Verify("another-secret", Timestamp, Expected, Body, Sent, Window));
    }

    [Theory]
    [InlineData(null, Expected)]
    [InlineData(Timestamp, null)]
    public void Should_report_missing_headers(string? timestamp, string? signature) =>
        Assert.Equal(SlackCheck.Missing, SlackSignature.Verify(Secret, timestamp, signature, Body, Sent, Window));
}
