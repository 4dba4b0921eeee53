using System.Text.Json;

namespace Routing.Database;

internal sealed record ConversationRow
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public string Channel { get; init; } = "";
    public string ChannelAccount { get; init; } = "";
    public string? ThreadKey { get; init; }

    /// <summary>The visibility of the customer's latest message (MessageVisibility): a public one is held for a shorter while.</summary>
    public string Visibility { get; init; } = "private";
    public string Status { get; init; } = "";
    public string? AgentId { get; init; }
    public int Priority { get; init; }
    public string[] HeldFor { get; init; } = [];
    public DateTime? HoldUntil { get; init; }
    public string[] ExcludedAgents { get; init; } = [];

    /// <summary>Agents passed over until the instant given (jsonb {"agent": until}): a decline or an expired offer lapses.</summary>
    public string Exclusions { get; init; } = "{}";

    /// <summary>The preferred set the conversation was routed with while it waited (the hit rate's reference).</summary>
    public string[] PreferredSet { get; init; } = [];

    public DateTime? FirstAssignedAt { get; init; }
    public DateTime? OfferExpiresAt { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? WaitingSince { get; init; }
    public DateTime? AssignedAt { get; init; }
    public DateTime? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? CloseReason { get; init; }
    public DateTime LastMessageAt { get; init; }

    /// <summary>The team the conversation was transferred to: only its members take it. Null: anyone serving the channel.</summary>
    public string? Team { get; init; }

    /// <summary>The language the customer writes in (given by the adapter or detected), an ISO 639 code; null: unknown.</summary>
    public string? Language { get; init; }

    /// <summary>Skills an agent needs for it (the adapter's metadata, the skill rules).</summary>
    public string[] Skills { get; init; } = [];

    /// <summary>When a queue time limit moved it to an overflow team (once per wait).</summary>
    public DateTime? OverflowedAt { get; init; }

    /// <summary>When the channel's adapter sent the first agent reply (the first response); null: none yet.</summary>
    public DateTime? FirstResponseAt { get; init; }

    /// <summary>When it sent the latest agent reply.</summary>
    public DateTime? LastReplyAt { get; init; }

    /// <summary>Whether the first assignment went to a preferred agent; null: the customer had no preferred agent.</summary>
    public bool? PreferredHit { get; init; }

    /// <summary>Since when agents handle it: its assignment since it last started waiting; null while it waits or is closed.</summary>
    public DateTime? HandlingSince { get; init; }

    /// <summary>The time agents handled it, summed over its stretches from assignment to close.</summary>
    public double? HandleSeconds { get; init; }

    /// <summary>The agents passed over at <paramref name="now"/>: their exclusion has not lapsed yet.</summary>
    public IReadOnlySet<string> ExcludedAt(DateTimeOffset now) =>
        (JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(Exclusions) ?? [])
        .Where(e => e.Value > now).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
}
