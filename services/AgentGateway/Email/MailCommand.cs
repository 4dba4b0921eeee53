using System.Text.RegularExpressions;

namespace Routing.AgentGateway.Email;

/// <summary>
/// What an agent's mail asks, when its new text is a command rather than a reply to the customer: "accept",
/// "decline[: reason]", "close[: reason]", "away", "available", "offline" (each the whole text, on one line), or
/// "[warm] transfer to ben" / "transfer to team billing" on the first line, the note for the next agent after a colon or
/// on the lines below; "note: …" (its lines below too) keeps a note on the customer for whoever serves them next, and
/// "tag: vip, returns" or "untag: vip" (on one line) changes their tags, and "name: Marco Bruni" names them. Anything else is a reply to the customer.
/// </summary>
internal abstract partial record MailCommand
{
    public sealed record AcceptCommand : MailCommand;

    public sealed record DeclineCommand(string? Reason) : MailCommand;

    public sealed record CloseCommand(string? Reason) : MailCommand;

    public sealed record TransferCommand(string? ToAgentId, string? ToTeam, bool Warm, string? Note) : MailCommand;

    public sealed record PresenceCommand(string Status) : MailCommand;

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
