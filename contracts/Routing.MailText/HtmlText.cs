using System.Text;
using MimeKit.Text;

namespace Routing.MailText;

/// <summary>
/// Plain text from an HTML-only mail, for routing and for agents' tools: block elements and &lt;br&gt; become
/// line breaks, list items get a dash, links keep their address, entities are decoded, and script, style and
/// head are dropped. Not a renderer: what an agent needs to read the customer.
/// </summary>
public static class HtmlText
{
    private const string Rule = "________________________________";

    public static string ToText(string html)
    {
        var text = new StringBuilder(html.Length / 2);
        var tokenizer = new HtmlTokenizer(new StringReader(html)) { DecodeCharacterReferences = true };
        var skipping = 0;
        string? href = null;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head or HtmlTagId.Title:
                    if (!tag.IsEmptyElement)
                    {
                        skipping = Math.Max(0, skipping + (tag.IsEndTag ? -1 : 1));
                    }
                    break;
                case HtmlTagToken tag when skipping == 0:
                    Tag(text, tag, ref href);
                    break;
                case HtmlDataToken data when skipping == 0:
                    AppendCollapsed(text, data.Data);
                    break;
            }
        }
        return Tidy(text.ToString());
    }

    private static void Tag(StringBuilder text, HtmlTagToken tag, ref string? href)
    {
        switch (tag.Id)
        {
            case HtmlTagId.Br:
                text.Append('\n');
                break;
            case HtmlTagId.HR:
                // as Outlook writes the rule above a quoted message in plain text
                NewLine(text);
                text.Append(Rule).Append('\n');
                break;
            case HtmlTagId.LI when !tag.IsEndTag:
                NewLine(text);
                text.Append("- ");
                break;
            case HtmlTagId.A when !tag.IsEndTag:
                href = tag.Attributes.FirstOrDefault(a => a.Id == HtmlAttributeId.Href)?.Value;
                break;
            case HtmlTagId.A:
                // The address after the words, unless the words are the address.
                if (href is { Length: > 0 } link && link.StartsWith("http", StringComparison.OrdinalIgnoreCase) && !text.ToString().EndsWith(link, StringComparison.Ordinal))
                {
                    text.Append(" (").Append(link).Append(')');
                }
                href = null;
                break;
            case HtmlTagId.P or HtmlTagId.Div or HtmlTagId.TR or HtmlTagId.Table or HtmlTagId.UL or HtmlTagId.OL or HtmlTagId.BlockQuote
                or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 or HtmlTagId.H4 or HtmlTagId.H5 or HtmlTagId.H6 or HtmlTagId.Pre:
                NewLine(text);
                if (tag.Id is HtmlTagId.P && tag.IsEndTag)
                {
                    text.Append('\n');
                }
                break;
            case HtmlTagId.TD or HtmlTagId.TH when tag.IsEndTag:
                text.Append(' ');
                break;
        }
    }

    /// <summary>Whitespace runs in HTML text are one space.</summary>
    private static void AppendCollapsed(StringBuilder text, string data)
    {
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c) && c != '\u00A0')
            {
                if (text.Length > 0 && text[^1] is not (' ' or '\n'))
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c == '\u00A0' ? ' ' : c);
            }
        }
    }

    private static void NewLine(StringBuilder text)
    {
        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }
    }

    /// <summary>Trailing spaces off every line, at most one empty line in a row, nothing around the whole.</summary>
    private static string Tidy(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim());
        var result = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank <= 1)
            {
                result.Append(line).Append('\n');
            }
        }
        return result.ToString().Trim();
    }
}
