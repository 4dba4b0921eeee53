using System.ComponentModel.DataAnnotations;

namespace Routing.AgentGateway;

/// <summary>The gateway's own settings (section "Gateway"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The bearer token of the admin API (targets, deliveries, agents' tokens). Compared by hash, in constant time; never logged.</summary>
    [Required, MinLength(16)]
    public string AdminToken { get; set; } = "";

    /// <summary>
    /// Further admin tokens, valid beside <see cref="AdminToken"/>: to rotate it without downtime, add the new one here,
    /// move the callers to it, make it AdminToken and drop the old one.
    /// </summary>
    public List<string> AdditionalAdminTokens { get; set; } = [];

    /// <summary>Apply the gateway's migrations on start (under an advisory lock). Off where a migration Job runs them.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>How long the agent API waits for the broker to confirm a command (presence, accept, reply...) before answering 503.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The account to reply from on a channel the customer has an address on but never wrote to us on (e.g. "sms":
    /// "+15005550006", "email": "support@example.com"). Where the customer wrote, the reply goes from the account written to.
    /// </summary>
    public Dictionary<string, string> ChannelAccounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the agents' events are kept for GET /me/events to resume from.</summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an agent's token lives when the admin API issues it without a lifetime of its own.</summary>
    public TimeSpan AgentTokenLifetime { get; set; } = TimeSpan.FromDays(90);
}
