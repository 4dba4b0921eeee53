using System.ComponentModel.DataAnnotations;

namespace Routing.AgentGateway;

/// <summary>The gateway's own settings (section "Gateway"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The bearer token of the admin API (targets, deliveries, agents' tokens). Compared by hash, in constant time; never logged.</summary>
    [Required, MinLength(16)]
    public string AdminToken { get; set; } = "";

    /// <summary>Apply the gateway's migrations on start (under an advisory lock). Off where a migration Job runs them.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
