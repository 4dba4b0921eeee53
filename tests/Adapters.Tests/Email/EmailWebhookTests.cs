using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Routing.Adapters.Email;
using Routing.Adapters.Email.Inbound;
using Routing.Adapters.Email.Smtp;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Adapters.Tests.Email;

public sealed class EmailWebhookTests
{
    private static readonly IOptions<EmailOptions> Options = Microsoft.Extensions.Options.Options.Create(new EmailOptions
    {
        Mailgun = new MailgunOptions { SigningKey = EmailWebhookCases.MailgunKey },
        Postmark = new BasicAuthOptions { Username = "postmark", Password = "dev-postmark-password" },
        SendGrid = new BasicAuthOptions { Username = "sendgrid", Password = "dev-sendgrid-password" },
    });

    private static readonly EmailMetrics Metrics = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    /// <summary>No key: attachments stay names, as the conformance cases expect (EmailFileTests keeps them).</summary>
    private static readonly Routing.Adapters.Email.Files.EmailFiles NoFiles = new(Microsoft.Extensions.Options.Options.Create(new Routing.Adapters.Email.Files.EmailFileOptions()),
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<Routing.Adapters.Email.Files.EmailFiles>.Instance);

    public static TheoryData<string> Cases => new(EmailWebhookCases.All.Select(c => c.Case.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name)
    {
        var (provider, @case) = EmailWebhookCases.Named(name);
        IChannelWebhook webhook = provider switch
        {
            "mailgun" => new MailgunWebhook(Options, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(EmailWebhookCases.MailgunNow), Metrics, NullLogger<MailgunWebhook>.Instance, NoFiles),
            "postmark" => new PostmarkWebhook(Options, Metrics, NullLogger<PostmarkWebhook>.Instance, NoFiles),
            _ => new SendGridWebhook(Options, Metrics, NullLogger<SendGridWebhook>.Instance, NoFiles),
        };
        Conformance.Check(webhook, $"{EmailWebhookCases.PublicUrl}/{provider}", @case);
    }

    /// <summary>A timestamp beyond what a date can hold threw before the signature was checked: 500 to anyone (issue 16).</summary>
    [Theory]
    [InlineData("99999999999999")]
    [InlineData("9223372036854775807")]
    public void Should_refuse_a_mailgun_timestamp_out_of_range_without_throwing(string timestamp)
    {
        var webhook = new MailgunWebhook(Options, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(EmailWebhookCases.MailgunNow), Metrics,
            NullLogger<MailgunWebhook>.Instance, NoFiles);
        var body = $"timestamp={timestamp}&token=abc&signature=00&body-plain=hi&sender=a%40example.net&recipient=support%40example.com";
        var request = new WebhookRequest(System.Text.Encoding.UTF8.GetBytes(body), new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(),
            $"{EmailWebhookCases.PublicUrl}/mailgun", "application/x-www-form-urlencoded");

        Assert.Equal(SignatureCheck.Invalid, webhook.Verify(request));
    }

    /// <summary>Mailgun's signature covers its token, not the mail: the token goes with the message for routing to refuse a second mail under it.</summary>
    [Fact]
    public void Should_carry_the_mailgun_token_as_the_messages_delivery_nonce()
    {
        var webhook = new MailgunWebhook(Options, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(EmailWebhookCases.MailgunNow), Metrics,
            NullLogger<MailgunWebhook>.Instance, NoFiles);
        var body = "timestamp=1779528600&token=4f1c0e9b7d&signature=00&body-plain=Where+is+my+parcel%3F&from=Ada+%3Cada%40example.net%3E"
                   + "&recipient=support%40example.com&Message-Id=%3Cparcel-2%40example.net%3E&subject=Parcel";
        var request = new WebhookRequest(System.Text.Encoding.UTF8.GetBytes(body), new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(),
            $"{EmailWebhookCases.PublicUrl}/mailgun", "application/x-www-form-urlencoded");

        var content = webhook.Parse(request, EmailWebhookCases.MailgunNow);

        Assert.Equal("mailgun:4f1c0e9b7d", Assert.Single(content.Messages).DeliveryNonce);
    }

    /// <summary>
    /// A forger can pass SPF and DKIM for a domain of their own, and can copy a real DKIM-Signature of the victim's
    /// domain into the mail; Mailgun's DKIM verdict names no domain, so it vouches only for a single signature.
    /// </summary>
    [Theory]
    [InlineData("Pass", "maria.rossi@example.net", null, null, true, "verified: spf=pass (example.net)")]
    [InlineData("Pass", "bounce@attacker.example", null, null, false, "unverified: spf=pass (attacker.example)")]
    [InlineData("SoftFail", "maria.rossi@example.net", null, null, false, "unverified: spf=softfail (example.net)")]
    [InlineData(null, null, "Pass", new[] { "example.net" }, true, "verified: dkim=pass (example.net)")]
    [InlineData(null, null, "Pass", new[] { "attacker.example" }, false, "unverified: dkim=pass (attacker.example)")]
    [InlineData(null, null, "Pass", new[] { "example.net", "attacker.example" }, false, "unverified: dkim=pass")]
    [InlineData(null, null, "Fail", new[] { "example.net" }, false, "unverified: dkim=fail (example.net)")]
    [InlineData(null, null, null, null, false, "unverified: none")]
    public void Should_verify_a_mailgun_sender_only_when_spf_or_dkim_passed_for_the_from_domain(string? spf, string? envelope, string? dkim,
        string[]? signingDomains, bool verified, string summary)
    {
        var webhook = new MailgunWebhook(Options, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(EmailWebhookCases.MailgunNow), Metrics,
            NullLogger<MailgunWebhook>.Instance, NoFiles);
        var headers = JsonSerializer.Serialize(new[] { new[] { "From", "Maria Rossi <maria.rossi@example.net>" }, new[] { "Message-Id", "<m1@example.net>" } }
            .Concat((signingDomains ?? []).Select(d => new[] { "DKIM-Signature", $"v=1; a=rsa-sha256; d={d}; s=s1; h=from:to; bh=x; b=y" })));
        var fields = new Dictionary<string, string?>
        {
            ["recipient"] = "support@example.com", ["body-plain"] = "Please send the refund to my new account", ["message-headers"] = headers,
            ["sender"] = envelope, ["X-Mailgun-Spf"] = spf, ["X-Mailgun-Dkim-Check-Result"] = dkim,
        };
        var body = string.Join('&', fields.Where(f => f.Value is not null).Select(f => f.Key + "=" + Uri.EscapeDataString(f.Value!)));
        var request = new WebhookRequest(System.Text.Encoding.UTF8.GetBytes(body), new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(),
            $"{EmailWebhookCases.PublicUrl}/mailgun", "application/x-www-form-urlencoded");

        var message = Assert.Single(webhook.Parse(request, EmailWebhookCases.MailgunNow).Messages);

        Assert.Equal(verified, message.SenderVerified);
        Assert.Equal(summary, message.Metadata[Routing.Adapters.Email.Mime.InboundEmail.SenderAuthenticationKey]);
    }

    /// <summary>SendGrid's "dkim" field gives one result per signing domain.</summary>
    [Theory]
    [InlineData("{@example.net : pass}", true, "verified: dkim=pass (example.net)")]
    [InlineData("{@attacker.example : pass, @example.net : fail}", false, "unverified: dkim=pass (attacker.example), dkim=fail (example.net)")]
    [InlineData("none", false, "unverified: none")]
    public void Should_verify_a_sendgrid_sender_from_its_dkim_field(string dkim, bool verified, string summary)
    {
        var webhook = new SendGridWebhook(Options, Metrics, NullLogger<SendGridWebhook>.Instance, NoFiles);
        var body = $"--b\r\nContent-Disposition: form-data; name=\"headers\"\r\n\r\nFrom: Giulia <giulia@example.net>\r\nMessage-Id: <g1@example.net>\r\n\r\n"
                   + $"--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nsupport@example.com\r\n"
                   + $"--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n"
                   + $"--b\r\nContent-Disposition: form-data; name=\"dkim\"\r\n\r\n{dkim}\r\n--b--\r\n";
        var request = new WebhookRequest(System.Text.Encoding.UTF8.GetBytes(body), new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(),
            $"{EmailWebhookCases.PublicUrl}/sendgrid", "multipart/form-data; boundary=b");

        var message = Assert.Single(webhook.Parse(request, EmailWebhookCases.MailgunNow).Messages);

        Assert.Equal(verified, message.SenderVerified);
        Assert.Equal(summary, message.Metadata[Routing.Adapters.Email.Mime.InboundEmail.SenderAuthenticationKey]);
    }
}

/// <summary>The email webhooks over HTTP on a real broker, without a mailbox: published, refused, still serving.</summary>
public sealed class EmailWebhookEndpointTests : AdapterEndpointTest
{
    private protected override (IAsyncDisposable App, HttpClient Client) Start(string brokerUrl)
    {
        var app = new WebhookOnlyApp(brokerUrl);
        return (app, app.CreateClient());
    }

    [Theory]
    [InlineData("postmark: parsed mail with headers and an attachment", "parcel-photo-1@example.org")]
    [InlineData("sendgrid: parsed fields with the envelope", "8E3A1F2B-1C2D-4E5F-9A8B-7C6D5E4F3A2B@example.net")]
    public async Task Should_publish_a_provider_delivery(string name, string messageId)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var response = await PostAsync(name);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("support@example.com", (await inbound.WaitForAsync(m => m.ProviderMessageId == messageId)).ChannelAccount);
    }

    [Theory]
    [InlineData("postmark: wrong password", HttpStatusCode.Forbidden, null)]
    [InlineData("sendgrid: no credentials", HttpStatusCode.Unauthorized, null)]
    [InlineData("sendgrid: no headers", HttpStatusCode.BadRequest, "headers")]
    [InlineData("postmark: no recipient", HttpStatusCode.BadRequest, "OriginalRecipient")]
    public async Task Should_refuse_bad_input_with_problem_details_publish_nothing_and_keep_serving(string name, HttpStatusCode expected, string? field)
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();

        using var refused = await PostAsync(name);

        await AssertRefusedAsync(refused, expected, field);
        using var accepted = await PostAsync("postmark: parsed mail with headers and an attachment");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await inbound.WaitForAsync(m => m.ProviderMessageId == "parcel-photo-1@example.org");
        Assert.Single(inbound.Messages);
    }

    /// <summary>
    /// A customer's mail with a photo of a few MiB: the ingress admits 16 MiB, but the adapter refused anything over 1 MiB
    /// with 413, and the provider gave up on the mail (issue 16). The email adapter's limit is the ingress's now.
    /// </summary>
    [Fact]
    public async Task Should_take_a_mail_with_an_attachment_of_several_megabytes()
    {
        await using var inbound = await Broker.ObserveAsync<InboundMessageReceived>();
        var (_, @case) = EmailWebhookCases.Named("postmark: parsed mail with headers and an attachment");
        var photo = Convert.ToBase64String(new byte[6 * 1024 * 1024]);
        var large = @case with { Body = @case.Body.Replace("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////", photo, StringComparison.Ordinal) };

        using var response = await Client.SendAsync(AdapterHttp.Request(large, "/webhooks/email/postmark"));

        Assert.True(large.Body.Length > 8 * 1024 * 1024);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await inbound.WaitForAsync(m => m.ProviderMessageId == "parcel-photo-1@example.org");
        Assert.Equal("parcel.jpg", Assert.Single(message.Attachments).FileName);
    }

    private Task<HttpResponseMessage> PostAsync(string name)
    {
        var (provider, @case) = EmailWebhookCases.Named(name);
        return Client.SendAsync(AdapterHttp.Request(@case, $"/webhooks/email/{provider}"));
    }

    private sealed class WebhookOnlyApp(string brokerUrl) : WebApplicationFactory<SmtpEmailSender>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("RabbitMq:Url", brokerUrl);
            builder.UseSetting("Webhooks:PublicBaseUrl", "https://hooks.example.com");
            builder.UseSetting("Email:Postmark:Username", "postmark");
            builder.UseSetting("Email:Postmark:Password", "dev-postmark-password");
            builder.UseSetting("Email:SendGrid:Username", "sendgrid");
            builder.UseSetting("Email:SendGrid:Password", "dev-sendgrid-password");
        }
    }
}
