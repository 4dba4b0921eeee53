namespace Routing.AgentGateway.DataRights;

/// <summary>
/// How long the gateway keeps its copies (section "Gateway:Retention"); 0 keeps them. Agents' events have their own
/// Gateway:EventRetention (7 days: how far back a stream resumes) and files Gateway:Attachments:Retention (90 days).
/// </summary>
internal sealed class RetentionOptions
{
    public const string Section = "Gateway:Retention";

    /// <summary>The copies of conversations closed longer ago: their messages' text, addresses and names, what agents were shown, files, events and deliveries.</summary>
    public TimeSpan Conversations { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Deliveries to agents' tools that are done (delivered, exhausted, abandoned), with the bytes they carried.</summary>
    public TimeSpan Deliveries { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
