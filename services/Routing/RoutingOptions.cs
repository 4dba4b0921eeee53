using System.ComponentModel.DataAnnotations;

namespace Routing;

/// <summary>Every number of the routing policy. Defaults are DESIGN.md's; hold waits are per channel.</summary>
internal sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>How long a conversation's agent may be offline before the conversation is released and routed again.</summary>
    public TimeSpan OfflineGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Agents who handled the customer within this window join the preferred set, after the owners.</summary>
    public TimeSpan HistoryLookback { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long an agent who must accept has before the offer expires and the conversation is routed again.</summary>
    public TimeSpan OfferTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long an agent who declined a conversation (or let its offer expire) is passed over for it. Then the agent may be
    /// offered it again: a conversation every agent declined does not wait for ever.
    /// </summary>
    public TimeSpan ExclusionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Hold-before-fallback per channel; a channel not listed uses <see cref="DefaultHoldWait"/>. Zero falls back at once.</summary>
    public Dictionary<string, TimeSpan> HoldWait { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = TimeSpan.FromMinutes(30),
        ["sms"] = TimeSpan.FromMinutes(2),
        ["whatsapp"] = TimeSpan.FromMinutes(2),
        ["facebook"] = TimeSpan.FromMinutes(2),
        ["twitter"] = TimeSpan.FromMinutes(2),
    };

    public TimeSpan DefaultHoldWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How public messages (mentions, comments under the company's posts) are served: sooner, and held less.</summary>
    public PublicOptions Public { get; set; } = new();

    /// <summary>
    /// Idle close per channel: an open conversation whose customer has written nothing for this long is closed (reason
    /// "idle") and its agent's slot freed. A channel not listed uses <see cref="DefaultIdleClose"/>; zero never closes.
    /// The messaging channels' 24 hours are WhatsApp's and Messenger's customer-service window: past it a reply needs a template.
    /// </summary>
    public Dictionary<string, TimeSpan> IdleClose { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = TimeSpan.FromDays(3),
        ["sms"] = TimeSpan.FromHours(24),
        ["whatsapp"] = TimeSpan.FromHours(24),
        ["facebook"] = TimeSpan.FromHours(24),
        ["twitter"] = TimeSpan.FromHours(24),
    };

    public TimeSpan DefaultIdleClose { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A customer who writes again within this long of an idle close gets the same conversation back, offered first to the
    /// agent who had it; later, a new conversation starts (and that agent is still in the preferred set, by history).
    /// Zero never reopens.
    /// </summary>
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The centre's business hours (a team's own, set through the API, win for its conversations) and the out-of-hours reply.</summary>
    public BusinessHoursOptions BusinessHours { get; set; } = new();

    /// <summary>
    /// Queue time limits: a conversation of a team (the key; "default" for conversations of no team) that has waited
    /// <see cref="OverflowRule.After"/> in the queue moves to <see cref="OverflowRule.ToTeam"/>, once per wait.
    /// </summary>
    public Dictionary<string, OverflowRule> Overflow { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What conversations require of agents (language, skills), and when each requirement is relaxed.</summary>
    public RequirementOptions Requirements { get; set; } = new();

    /// <summary>
    /// Service-level targets: the share of conversations whose first response came within their channel's target is the
    /// report's service level (GET /reports/service-levels). A channel not listed uses <see cref="DefaultFirstResponseTarget"/>.
    /// </summary>
    public Dictionary<string, TimeSpan> FirstResponseTarget { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = TimeSpan.FromHours(4),
    };

    public TimeSpan DefaultFirstResponseTarget { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each replica sweeps due timers and looks for free slots with waiting conversations.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Candidates kept per receipt (the count of all considered is kept too).</summary>
    [Range(1, 1000)]
    public int ReceiptCandidateLimit { get; set; } = 10;

    /// <summary>Fallback agents fetched per attempt, best first; more are fetched when all of them were taken meanwhile.</summary>
    [Range(1, 1000)]
    public int FallbackPoolSize { get; set; } = 16;

    /// <summary>How inbound messages are gathered into transactions.</summary>
    public InboundBatchOptions Inbound { get; set; } = new();

    /// <summary>Who a message's sender is taken to be.</summary>
    public IdentityOptions Identity { get; set; } = new();

    /// <summary>Apply database migrations on start (under an advisory lock). Off where a migration Job runs them.</summary>
    public bool MigrateOnStart { get; set; } = true;

    public TimeSpan HoldWaitFor(string channel) =>
        HoldWait.TryGetValue(channel, out var wait) ? wait : DefaultHoldWait;

    /// <summary>The hold of a conversation whose customer last wrote in public: the shorter of public's and the channel's.</summary>
    public TimeSpan HoldWaitFor(string channel, string visibility) =>
        visibility == Contracts.MessageVisibility.Public && Public.HoldWait < HoldWaitFor(channel) ? Public.HoldWait : HoldWaitFor(channel);

    public TimeSpan IdleCloseFor(string channel) =>
        IdleClose.TryGetValue(channel, out var idle) ? idle : DefaultIdleClose;
}

/// <summary>
/// Public messages are read by everyone while they wait: they start with <see cref="Priority"/> (a VIP's own, or an adapter's,
/// when higher), raise a waiting conversation they join to it, and are held for their preferred agents no longer than
/// <see cref="HoldWait"/> before the next available agent answers.
/// </summary>
internal sealed class PublicOptions
{
    /// <summary>0 (ordinary) to 100, as a customer's priority: the higher, the sooner served.</summary>
    [Range(0, 100)]
    public int Priority { get; set; } = 50;

    public TimeSpan HoldWait { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Inbound messages that arrive together are routed together: one transaction and a few set-based
/// statements for the whole batch instead of a transaction per message. A batch is whatever has
/// arrived while the previous one was being routed, so a quiet system routes each message at once.
/// </summary>
internal sealed class InboundBatchOptions
{
    /// <summary>Messages routed in one transaction at most.</summary>
    [Range(1, 1000)]
    public int MaxBatch { get; set; } = 200;

    /// <summary>Batches routed at once per replica.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 1;

    /// <summary>Inbound messages taken from the broker at once per replica (and the queue's prefetch): at least MaxBatch times Workers keeps the batches full.</summary>
    [Range(1, 10000)]
    public int ConcurrentMessageLimit { get; set; } = 400;
}

/// <summary>
/// Who a message's sender is taken to be. A sender the adapter could not verify (InboundMessageReceived.SenderVerified
/// false: an email whose From no SPF, DKIM or DMARC verdict vouched for) could be anybody writing that address.
/// </summary>
internal sealed class IdentityOptions
{
    /// <summary>The address kind an unverified sender is known by when kept apart: "email" becomes "email-unverified".</summary>
    public const string UnverifiedSuffix = "-unverified";

    public UnverifiedSenders UnverifiedSenders { get; set; } = UnverifiedSenders.Separate;
}

internal enum UnverifiedSenders
{
    /// <summary>
    /// The safe default: an unverified sender is a customer of its own, known by the address kind with "-unverified"
    /// ("email-unverified"), so a forged From never joins the real person's conversation nor shows their history; the
    /// unverified mails of one address share that customer. An operator who knows better merges the two.
    /// </summary>
    Separate,

    /// <summary>Anybody is who their From says (how email-to-ticket tools commonly work): only where mail is verified upstream.</summary>
    Trust,
}

/// <summary>
/// Languages and skills: a conversation asks for the customer's language (the adapter's metadata "language", or detected
/// from the first message) and for skills (the metadata's "skills", comma-separated, and the rules below); agents who
/// meet them are chosen, the customer's preferred agents first. Each requirement is dropped once the conversation has
/// waited its relaxation time, so that nobody waits for ever for the perfect agent.
/// </summary>
internal sealed class RequirementOptions
{
    /// <summary>After this long waiting, any agent may take it whatever language they speak.</summary>
    public TimeSpan LanguageRelaxAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>After this long waiting, any agent may take it whatever their skills.</summary>
    public TimeSpan SkillRelaxAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Guess the language of a first message that names none (a few common European languages, from their most frequent words).</summary>
    public bool DetectLanguage { get; set; } = true;

    /// <summary>Rules that give a new conversation a skill (and a team): by the channel account it was written to and words of its first message.</summary>
    public List<SkillRule> SkillRules { get; set; } = [];
}

/// <summary>
/// A conversation gets <see cref="Skill"/> (and, when set, is for <see cref="Team"/>) when its first message came to
/// <see cref="ChannelAccount"/> (if set), on <see cref="Channel"/> (if set), and contains one of <see cref="Keywords"/>
/// as a word (if any are set).
/// </summary>
internal sealed class SkillRule
{
    public string Skill { get; set; } = "";

    /// <summary>The team whose members take it (a WhatsApp number for sales, a billing mailbox): never relaxed.</summary>
    public string? Team { get; set; }
    public string? Channel { get; set; }
    public string? ChannelAccount { get; set; }
    public List<string> Keywords { get; set; } = [];
}

/// <summary>
/// When the centre answers. Unset (no TimeZone): always. A customer who writes when it is closed, and whom nobody can
/// take, is told when to expect an answer (<see cref="AutoReply"/>, with {opens} the next opening in the hours' zone).
/// </summary>
internal sealed class BusinessHoursOptions
{
    public string? TimeZone { get; set; }

    /// <summary>Day name (monday … sunday) → ranges such as "09:00-13:00"; a day not listed is closed.</summary>
    public Dictionary<string, List<string>> Weekly { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Closed all day: dates as 2026-12-25.</summary>
    public List<string> Holidays { get; set; } = [];

    public string AutoReply { get; set; } =
        "Thank you for your message. We are closed right now and open again {opens}; an agent will answer you then.";

    /// <summary>The hours as JSON (<see cref="Policy.WorkingHours"/>), or null when always open.</summary>
    public string? ToJson() => TimeZone is null ? null
        : System.Text.Json.JsonSerializer.Serialize(new { timeZone = TimeZone, weekly = Weekly, holidays = Holidays });
}

/// <summary>After waiting this long in the queue, the conversation is for <see cref="ToTeam"/> instead.</summary>
/// <summary>
/// A queue time limit: after <see cref="After"/> waiting, the conversation moves to <see cref="ToTeam"/> (routed again among
/// its members) and, if it still waits, the customer is sent <see cref="AutoReply"/>; either or both.
/// </summary>
internal sealed class OverflowRule
{
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);

    public string? ToTeam { get; set; }

    /// <summary>What the customer is told when the limit passes and nobody took the conversation ("All our agents are busy ...").</summary>
    public string? AutoReply { get; set; }
}
