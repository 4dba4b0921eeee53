using System.Diagnostics.Metrics;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Email;

/// <summary>Mail read by source (imap, mailgun, postmark, sendgrid) and outcome (routed, not-routed, bounce).</summary>
internal sealed class EmailMetrics
{
    private readonly Counter<long> _mail;

    public EmailMetrics(IMeterFactory meterFactory) =>
        _mail = meterFactory.Create(WebhookMetrics.MeterName).CreateCounter<long>("adapter.email.mail", description: "Mail read, by source and outcome (routed, not-routed, bounce)");

    public void Read(string source, string outcome) => _mail.Add(1, new(TelemetryAttributes.MailSource, source), new(TelemetryAttributes.MailOutcome, outcome));
}
