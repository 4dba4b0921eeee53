namespace Routing.Policy;

/// <summary>
/// What an agent must have to take a conversation now: its channel, and, where the conversation asks for them and
/// they have not been relaxed yet, a team (a transfer's, never relaxed), a language and skills. A channel alone is a
/// need with no requirements.
/// </summary>
internal sealed record Need(string Channel, string? Team = null, string? Language = null, IReadOnlyList<string>? Skills = null)
{
    public IReadOnlyList<string> RequiredSkills => Skills ?? [];

    public static implicit operator Need(string channel) => new(channel);

    /// <summary>"whatsapp", "whatsapp, team billing, speaking es, with refunds": for receipts and the queue's reason.</summary>
    public string Describe() =>
        string.Join(", ", new[]
        {
            Channel,
            Team is null ? null : "team " + Team,
            Language is null ? null : "speaking " + Language,
            RequiredSkills.Count == 0 ? null : "with " + string.Join(" and ", RequiredSkills),
        }.OfType<string>());
}
