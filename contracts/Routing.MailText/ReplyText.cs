using System.Text.RegularExpressions;

namespace Routing.MailText;

/// <summary>
/// The new part of a reply: the text above the quoted history and the signature, as the common mail clients
/// write them (Gmail and Apple Mail "On … wrote:", and its French, German, Italian, Spanish forms; Outlook's
/// "-----Original Message-----" and "From:/Sent:" header block; a trailing run of "&gt;" lines; the "-- "
/// signature delimiter of RFC 3676; "Sent from my iPhone"). When nothing would remain, the whole text stays.
/// </summary>
public static partial class ReplyText
{
    public static string Strip(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var cut = lines.Length;
        for (var i = 0; i < lines.Length && cut == lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            var withNext = i + 1 < lines.Length ? line + " " + lines[i + 1].Trim() : line;
            if (Attribution().IsMatch(line) || (line.Length > 0 && !line.StartsWith('>') && Attribution().IsMatch(withNext) && !Attribution().IsMatch(lines[i + 1].Trim()))
                || OriginalMessage().IsMatch(line) || line == "-- " || line == "--" || MobileSignature().IsMatch(line)
                || (OutlookFrom().IsMatch(line) && lines.Skip(i + 1).Take(4).Any(l => OutlookSent().IsMatch(l)) && (i == 0 || lines[i - 1].Trim().Length == 0 || Underscores().IsMatch(lines[i - 1])))
                || (line.StartsWith('>') && lines.Skip(i).All(l => l.Length == 0 || l.StartsWith('>'))))
            {
                cut = i > 0 && Underscores().IsMatch(lines[i - 1]) ? i - 1 : i;
            }
        }
        var kept = string.Join('\n', lines.Take(cut)).Trim();
        return kept.Length > 0 ? kept : text.Trim();
    }

    [GeneratedRegex(@"^(On\s.+\swrote|Le\s.+\sa\sécrit|Am\s.+\sschrieb\s.+|Il\s.+\sha\sscritto|El\s.+\sescribió)\s?:$", RegexOptions.IgnoreCase)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Messaggio originale|Mensaje original)\s*-{2,}\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^\*?(From|De|Von|Da)\*?:\s", RegexOptions.IgnoreCase)]
    private static partial Regex OutlookFrom();

    [GeneratedRegex(@"^\*?(Sent|Date|Envoyé|Gesendet|Inviato|Enviado)\*?:\s", RegexOptions.IgnoreCase)]
    private static partial Regex OutlookSent();

    [GeneratedRegex(@"^_{10,}\s*$")]
    private static partial Regex Underscores();

    [GeneratedRegex(@"^(Sent from my (iPhone|iPad|Android|mobile)|Get Outlook for (iOS|Android)|Sent from Mail for Windows)", RegexOptions.IgnoreCase)]
    private static partial Regex MobileSignature();
}
