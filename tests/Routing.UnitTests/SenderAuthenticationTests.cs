using Routing.MailAuthentication;

namespace Routing.UnitTests;

public sealed class SenderAuthenticationTests
{
    private static readonly string[] Trusted = ["mx.example.com"];

    [Fact]
    public void Should_read_every_check_of_an_authentication_results_header_with_comments_and_properties()
    {
        var (server, checks) = AuthenticationHeaders.ParseAuthenticationResults(
            "mx.google.com; dkim=pass header.i=@Customer.example header.s=s1 header.b=Abc1; " +
            "spf=pass (google.com: domain of a@bounce.customer.example designates 192.0.2.1 (a (nested) comment) as permitted sender) smtp.mailfrom=a@bounce.customer.example; " +
            "dmarc = pass (p=REJECT sp=REJECT dis=NONE) header.from=customer.example");

        Assert.Equal("mx.google.com", server);
        Assert.Equal(
            [new AuthenticationCheck("dkim", "pass", "customer.example"), new AuthenticationCheck("spf", "pass", "bounce.customer.example"),
             new AuthenticationCheck("dmarc", "pass", "customer.example")],
            checks);
    }

    [Fact]
    public void Should_read_a_version_a_quoted_value_holding_a_semicolon_and_a_no_result_header()
    {
        var (server, checks) = AuthenticationHeaders.ParseAuthenticationResults("\"mx.example.com\" 1; auth=pass smtp.auth=\"x;y\"; dkim/1=fail reason=\"bad; sig\" header.d=example.org");
        Assert.Equal("mx.example.com", server);
        Assert.Equal([new AuthenticationCheck("auth", "pass", null), new AuthenticationCheck("dkim", "fail", "example.org")], checks);

        var none = AuthenticationHeaders.ParseAuthenticationResults("mx.example.com; none");
        Assert.Equal("mx.example.com", none.Server);
        Assert.Empty(none.Checks);
    }

    [Fact]
    public void Should_trust_only_the_topmost_header_of_a_trusted_server_not_one_the_sender_wrote_below_it_nor_another_servers()
    {
        string[] headers =
        [
            "elsewhere.example; dmarc=pass header.from=customer.example",   // a server we do not trust
            "mx.example.com; dmarc=fail header.from=customer.example",      // ours, on top: what it found
            "mx.example.com; dmarc=pass header.from=customer.example",      // written by the sender, below ours
        ];

        var checks = AuthenticationHeaders.Trusted(headers, Trusted);

        Assert.Equal([new AuthenticationCheck("dmarc", "fail", "customer.example")], checks);
        Assert.False(SenderAuthentication.Evaluate("ana@customer.example", 1, checks).Verified);
        Assert.Empty(AuthenticationHeaders.Trusted(headers, []));
        Assert.Empty(AuthenticationHeaders.Trusted(["elsewhere.example; dmarc=pass"], Trusted));
    }

    [Theory]
    [InlineData("dmarc", "pass", "customer.example", true)]
    [InlineData("dmarc", "pass", null, true)] // a DMARC pass is for the From domain by definition
    [InlineData("dkim", "pass", "customer.example", true)]
    [InlineData("dkim", "pass", "mail.customer.example", true)] // relaxed alignment: a subdomain
    [InlineData("spf", "pass", "bounce.customer.example", true)]
    [InlineData("dkim", "pass", "attacker.example", false)] // a valid signature of somebody else's domain
    [InlineData("spf", "pass", "attacker.example", false)]
    [InlineData("dkim", "pass", null, false)]
    [InlineData("dkim", "pass", "example", false)] // a bare top-level domain aligns with nothing
    [InlineData("spf", "softfail", "customer.example", false)]
    [InlineData("spf", "neutral", "customer.example", false)]
    [InlineData("dmarc", "fail", "customer.example", false)]
    [InlineData("dkim", "temperror", "customer.example", false)]
    [InlineData("arc", "pass", "customer.example", false)] // not a check of the sender
    public void Should_verify_a_sender_only_on_a_pass_aligned_with_the_from_domain(string method, string result, string? domain, bool verified)
    {
        var verdict = SenderAuthentication.Evaluate("Ana@Customer.Example", 1, [new AuthenticationCheck(method, result, domain)]);
        Assert.Equal(verified, verdict.Verified);
        Assert.StartsWith($"{method}={result}", verdict.Summary);
    }

    [Fact]
    public void Should_not_verify_without_checks_with_several_from_mailboxes_or_without_a_from_address()
    {
        AuthenticationCheck[] pass = [new("dmarc", "pass", "customer.example")];
        Assert.Equal(new SenderVerdict(false, "none"), SenderAuthentication.Evaluate("ana@customer.example", 1, []));
        Assert.False(SenderAuthentication.Evaluate("ana@customer.example", 2, pass).Verified);
        Assert.False(SenderAuthentication.Evaluate("customer.example", 1, pass).Verified);
        Assert.False(SenderAuthentication.Evaluate(null, 0, pass).Verified);
    }

    [Fact]
    public void Should_read_received_spf_with_its_envelope_sender()
    {
        var check = AuthenticationHeaders.ParseReceivedSpf(
            "Pass (sender SPF authorized) identity=mailfrom; client-ip=192.0.2.1; helo=mail.customer.example; envelope-from=\"ana@customer.example\"; receiver=postmark;");
        Assert.Equal(new AuthenticationCheck("spf", "pass", "customer.example"), check);
        Assert.Equal(new AuthenticationCheck("spf", "softfail", null), AuthenticationHeaders.ParseReceivedSpf("SoftFail"));
        Assert.Null(AuthenticationHeaders.ParseReceivedSpf("  (only a comment)  "));
    }
}
