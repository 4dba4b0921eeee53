using System.Text.RegularExpressions;

namespace Routing.AgentGateway.Email;

/// <summary>
/// What an agent's mail asks, when its new text is a command rather than a reply to the customer: "accept",
/// "decline[: reason]", "close[: reason]", "away", "available", "offline" (each the whole text, on one line), or
/// "[warm] transfer to ben" / "transfer to team billing" on the first line, the note for the next agent after a colon or
/// on the lines below; "note: …" (its lines below too) keeps a note on the customer for whoever serves them next, and
/// "tag: vip, returns" or "untag: vip" (on one line) changes their tags, and "name: Marco Bruni" names them; "follow up in 3 days: …"
/// (hours or weeks too, the lines below as well) schedules a follow-up. Anything else is a reply to the customer.
/// </summary>
internal abstract partial record MailCommand
{
    public sealed record AcceptCommand : MailCommand;

    public sealed record DeclineCommand(string? Reason) : MailCommand;

    public sealed record CloseCommand(string? Reason) : MailCommand;

    public sealed record TransferCommand(string? ToAgentId, string? ToTeam, bool Warm, string? Note) : MailCommand;

    public sealed record PresenceCommand(string Status) : MailCommand;

    /// <summary>"follow up in 3 days: Did the replacement arrive?" (hours and weeks too; the lines below are the text as well).</summary>
    public sealed record FollowUpCommand(TimeSpan After, string Text) : MailCommand;

    public sealed record NoteCommand(string? Note, IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags, string? Name = null) : MailCommand;

    public static MailCommand? Parse(string text)
    {
        var lines = text.Trim().ReplaceLineEndings("\n").Split('\n');
        var first = lines[0].Trim();
        var rest = string.Join('\n', lines.Skip(1)).Trim();
        if (TransferLine().Match(first) is { Success: true } transfer
            && !(transfer.Groups["agent"].Success && transfer.Groups["agent"].Value.Equals("team", StringComparison.OrdinalIgnoreCase)))
        {
            var note = string.Join('\n', new[] { transfer.Groups["note"].Value.Trim(), rest }.Where(n => n.Length > 0));
            return new TransferCommand(transfer.Groups["agent"].Success ? transfer.Groups["agent"].Value : null,
                transfer.Groups["team"].Success ? transfer.Groups["team"].Value.ToLowerInvariant() : null,
                transfer.Groups["warm"].Success, note.Length == 0 ? null : note);
        }
        if (FollowUpLine().Match(first) is { Success: true } followUp
            && double.TryParse(followUp.Groups["n"].Value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n > 0 && n <= 3650)
        {
            var after = followUp.Groups["unit"].Value.ToLowerInvariant()[0] switch { 'h' => TimeSpan.FromHours(n), 'w' => TimeSpan.FromDays(7 * n), _ => TimeSpan.FromDays(n) };
            return new FollowUpCommand(after, string.Join('\n', new[] { followUp.Groups["text"].Value.Trim(), rest }.Where(t => t.Length > 0)));
        }
        if (NoteLine().Match(first) is { Success: true } noted)
        {
            var note = string.Join('\n', new[] { noted.Groups["note"].Value.Trim(), rest }.Where(n => n.Length > 0));
            return new NoteCommand(note.Length == 0 ? null : note, [], []);
        }
        if (rest.Length == 0 && NameLine().Match(first) is { Success: true } named)
        {
            return new NoteCommand(null, [], [], named.Groups["name"].Value.Trim());
        }
        if (rest.Length == 0 && TagLine().Match(first) is { Success: true } tagged)
        {
            var tags = tagged.Groups["tags"].Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return tagged.Groups["un"].Success ? new NoteCommand(null, [], tags) : new NoteCommand(null, tags, []);
        }
        if (rest.Length > 0 || CommandLine().Match(first) is not { Success: true } command)
        {
            return null;
        }
        var reason = command.Groups["reason"].Success && command.Groups["reason"].Value.Trim() is { Length: > 0 } r ? r : null;
        return command.Groups["verb"].Value.ToLowerInvariant() switch
        {
            "accept" when reason is null => new AcceptCommand(),
            "decline" => new DeclineCommand(reason),
            "close" => new CloseCommand(reason),
            "away" or "available" or "offline" when reason is null => new PresenceCommand(command.Groups["verb"].Value.ToLowerInvariant()),
            _ => null,
        };
    }

    [GeneratedRegex(@"^follow[- ]?up\s+in\s+(?<n>\d+(\.\d+)?)\s*(?<unit>hours?|h|days?|d|weeks?|w)\s*:\s*(?<text>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpLine();

    [GeneratedRegex(@"^name\s*:\s*(?<name>\S.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex NameLine();

    [GeneratedRegex(@"^note\s*:\s*(?<note>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex NoteLine();

    [GeneratedRegex(@"^(?<un>un)?tags?\s*:\s*(?<tags>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TagLine();

    [GeneratedRegex(@"^(?<verb>accept|decline|close|away|available|offline)[.!]?\s*(:\s*(?<reason>.*))?$", RegexOptions.IgnoreCase)]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"^(?<warm>warm\s+)?transfer\s+to\s+(team\s+(?<team>[A-Za-z0-9][A-Za-z0-9._@-]{0,99})|@?(?<agent>[A-Za-z0-9][A-Za-z0-9._@-]{0,99}))[.!]?\s*(:\s*(?<note>.*))?$",
        RegexOptions.IgnoreCase)]
    private static partial Regex TransferLine();
}
