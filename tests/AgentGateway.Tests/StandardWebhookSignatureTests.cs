using System.Text;
using Routing.AgentGateway.Delivery;

namespace AgentGateway.Tests;

/// <summary>Standard Webhooks signing against the specification's published test vector, and what a receiver checks.</summary>
public sealed class StandardWebhookSignatureTests
{
    // The vector of the Standard Webhooks specification and its reference libraries.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    [Fact]
    public void Should_reproduce_the_specification_test_vector() =>
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", StandardWebhookSignature.Sign([Secret], Id, Timestamp, Body));

    [Fact]
    public void Should_sign_with_both_secrets_during_a_rotation_so_either_verifies()
    {
        var next = StandardWebhookSignature.NewSecret();

        var signatures = StandardWebhookSignature.Sign([next, Secret], Id, Timestamp, Body);

        Assert.Equal(2, signatures.Split(' ').Length);
        Assert.True(StandardWebhookSignature.Verify(Secret, Id, "1614265330", signatures, Body, SentAt, TimeSpan.FromMinutes(5)));
        Assert.True(StandardWebhookSignature.Verify(next, Id, "1614265330", signatures, Body, SentAt, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Should_accept_the_vector_among_other_signatures_as_receivers_do() =>
        Assert.True(StandardWebhookSignature.Verify(Secret, Id, "1614265330", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", Body, SentAt, TimeSpan.FromMinutes(5)));

    [Theory]
    [InlineData(Id, "1614265330", """{"test": 2432232315}""", 0)] // body changed
    [InlineData("msg_other", "1614265330", """{"test": 2432232314}""", 0)] // another id
    [InlineData(Id, "1614265331", """{"test": 2432232314}""", 0)] // another timestamp
    [InlineData(Id, "1614265330", """{"test": 2432232314}""", 301)] // received too late: a replay
    public void Should_refuse_what_was_not_signed_or_is_too_old(string id, string timestamp, string body, int secondsLater) =>
        Assert.False(StandardWebhookSignature.Verify(Secret, id, timestamp, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            Encoding.UTF8.GetBytes(body), SentAt.AddSeconds(secondsLater), TimeSpan.FromMinutes(5)));

    [Fact]
    public void Should_make_secrets_of_32_random_bytes()
    {
        var secret = StandardWebhookSignature.NewSecret();

        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, StandardWebhookSignature.Key(secret).Length);
        Assert.NotEqual(secret, StandardWebhookSignature.NewSecret());
    }
}
