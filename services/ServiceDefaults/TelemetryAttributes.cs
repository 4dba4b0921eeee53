namespace Routing.ServiceDefaults;

/// <summary>
/// The attribute names of the platform's own metrics and spans, in the form the OpenTelemetry semantic conventions ask of
/// attributes: a standard attribute where one means the same thing (http.response.status_code), otherwise lower-case
/// dotted names in a namespace of their own, the platform's (routing.*) for what every service shares, a component's
/// (adapter.*, gateway.*) for its own. Never a bare word ("channel", "outcome"), which collides with other
/// instrumentation's and the backend's labels. Prometheus (the collector's exporter) writes the dots as underscores:
/// routing.channel is the label routing_channel; deploy/README.md lists every metric with its labels, and the
/// deployment tests check that the dashboards and alerts group and filter only by labels their metrics carry.
/// </summary>
public static class TelemetryAttributes
{
    /// <summary>The channel a message came or goes on: sms, facebook, whatsapp, twitter, email.</summary>
    public const string Channel = "routing.channel";

    /// <summary>The team a conversation is for (a transfer's, the adapter's metadata, a skill rule's); "none" when any agent may take it.</summary>
    public const string Team = "routing.team";

    /// <summary>How a conversation ended: handled (an agent had it) or abandoned (closed before it reached any agent).</summary>
    public const string ConversationOutcome = "routing.conversation.outcome";

    /// <summary>What made routing decide: message, presence, timer, decline, close, release, ...</summary>
    public const string Trigger = "routing.trigger";

    /// <summary>What a routing decision did with the conversation: assigned, held, queued, ...</summary>
    public const string DecisionOutcome = "routing.decision.outcome";

    /// <summary>Why: preferred, fallback, sticky, hold, no-agent, ...</summary>
    public const string Reason = "routing.reason";

    /// <summary>What became of a provider's webhook request: accepted, spooled, unsigned, bad-signature, malformed, too-large, broker-unavailable.</summary>
    public const string WebhookOutcome = "adapter.webhook.outcome";

    /// <summary>What a webhook carried: a customer's message or a status of a message sent.</summary>
    public const string WebhookItem = "adapter.webhook.item";

    /// <summary>What became of a reply sent to the provider: sent, failed, failed-permanently, unknown.</summary>
    public const string SendOutcome = "adapter.send.outcome";

    /// <summary>What became of a customer's profile lookup: found, not-found, refused, not-configured, failed, dropped, unpublished.</summary>
    public const string ProfileOutcome = "adapter.profile.outcome";

    /// <summary>Where the email adapter read a mail: imap, mailgun, postmark, sendgrid.</summary>
    public const string MailSource = "adapter.email.source";

    /// <summary>What became of a mail read: routed, not-routed, bounce.</summary>
    public const string MailOutcome = "adapter.email.outcome";

    /// <summary>The standard attribute for an HTTP response's status code (a provider's refusal).</summary>
    public const string HttpStatusCode = "http.response.status_code";

    /// <summary>The kind of an agent's tool a delivery goes into: webhook, slack, email.</summary>
    public const string TargetKind = "gateway.target.kind";

    /// <summary>What became of a delivery attempt: delivered, retry, exhausted, disabled.</summary>
    public const string DeliveryOutcome = "gateway.delivery.outcome";

    /// <summary>The agent event a delivery carries: conversation.assigned, message.received, ...</summary>
    public const string EventType = "gateway.event.type";

    /// <summary>A health check's registered name: masstransit-bus, postgres, ...</summary>
    public const string HealthCheckName = "health.check.name";
}
