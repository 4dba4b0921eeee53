using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Routing.Adapters.Email;
using Routing.Adapters.Email.Inbound;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;

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

    public static TheoryData<string> Cases => new(EmailWebhookCases.All.Select(c => c.Case.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name)
    {
        var (provider, @case) = EmailWebhookCases.Named(name);
        IChannelWebhook webhook = provider switch
        {
            "mailgun" => new MailgunWebhook(Options, new FixedTime(EmailWebhookCases.MailgunNow), Metrics, NullLogger<MailgunWebhook>.Instance),
            "postmark" => new PostmarkWebhook(Options, Metrics, NullLogger<PostmarkWebhook>.Instance),
            _ => new SendGridWebhook(Options, Metrics, NullLogger<SendGridWebhook>.Instance),
        };
        Conformance.Check(webhook, $"{EmailWebhookCases.PublicUrl}/{provider}", @case);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
