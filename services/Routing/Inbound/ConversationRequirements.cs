using System.Globalization;
using System.Text.RegularExpressions;
using Routing.Contracts;
using Routing.Messaging;

namespace Routing.Inbound;

/// <summary>
/// What a new conversation asks of agents, from its first message: the customer's language (the adapter's metadata
/// "language", a BCP 47 tag whose primary subtag is kept, or guessed from the text), skills (the metadata's "skills",
/// comma-separated, and every skill rule the message matches) and a team (the metadata's "team", or the first matching
/// rule's).
/// </summary>
internal static partial class ConversationRequirements
{
    public static (string? Language, string[] Skills, string? Team) Of(InboundMessageReceived message, RequirementOptions options)
    {
        var matched = options.SkillRules.Where(r => Matches(r, message)).ToList();
        var team = (Given(message, "team") ?? matched.Select(r => r.Team).FirstOrDefault(t => t is not null))?.ToLowerInvariant();
        var language = Given(message, "language") is { } given ? Primary(given)
            : options.DetectLanguage ? LanguageGuess.Of($"{message.Subject} {message.Text}") : null;
        var skills = (Given(message, "skills")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [])
            .Select(s => s.ToLowerInvariant())
            .Concat(matched.Select(r => r.Skill.ToLowerInvariant()))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        return (language, skills, team);
    }

    /// <summary>The metadata's requirements are checked with the rest of the message: a malformed one names its field.</summary>
    public static void Validate(InboundMessageReceived message)
    {
        if (Given(message, "language") is { } language && !LanguageTag().IsMatch(language))
        {
            throw new InvalidMessageException("metadata.language", $"'{language}' is not a language tag such as en, it or pt-BR");
        }
        if (Given(message, "skills") is { } skills
            && skills.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(s => !Problems.IsValidId(s)) is { } bad)
        {
            throw new InvalidMessageException("metadata.skills", $"'{bad}' is not a skill name (letters, digits, '.', '_', '@' or '-')");
        }
        if (Given(message, "team") is { } team && !Problems.IsValidId(team))
        {
            throw new InvalidMessageException("metadata.team", $"'{team}' is not a team name (letters, digits, '.', '_', '@' or '-')");
        }
    }

    private static string? Given(InboundMessageReceived message, string key) =>
        message.Metadata is not null && message.Metadata.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string Primary(string tag) => tag.Split('-', '_')[0].ToLowerInvariant();

    private static bool Matches(SkillRule rule, InboundMessageReceived message)
    {
        if (rule.Channel is { } channel && !string.Equals(channel, message.Channel, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (rule.ChannelAccount is { } account && !string.Equals(account, message.ChannelAccount, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (rule.Keywords.Count == 0)
        {
            return true;
        }
        var words = LanguageGuess.Words($"{message.Subject} {message.Text}").ToHashSet(StringComparer.Ordinal);
        return rule.Keywords.Any(k => words.Contains(k.Trim().ToLower(CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex("^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();
}

/// <summary>
/// The language of a short text, guessed from the words most frequent in each language (articles, pronouns,
/// prepositions), as lightweight detectors do: at least two of a language's words, and clearly more than of any other;
/// otherwise unknown (null), and the conversation asks for no language.
/// </summary>
internal static partial class LanguageGuess
{
    private static readonly Dictionary<string, HashSet<string>> Common = new(StringComparer.Ordinal)
    {
        ["en"] = Set("the and is are was you your my i to of it that this have has not with for what when where please thanks hello hi order"),
        ["it"] = Set("il lo la gli le di che è e non per un una sono mi ho ciao grazie buongiorno del della come quando dove mio mia ordine"),
        ["es"] = Set("el la los las de que y es no por un una para mi hola gracias está estoy tengo pedido cuando dónde donde como buenos días"),
        ["fr"] = Set("le la les de des et est que je vous pas pour un une mon ma bonjour merci suis ai avec commande quand où"),
        ["de"] = Set("der die das und ist nicht ich sie mit für ein eine mein meine hallo danke bitte bestellung wann wo habe"),
        ["pt"] = Set("o a os as de que e é não um uma para meu minha olá obrigado obrigada está estou tenho pedido quando onde bom dia"),
        ["nl"] = Set("de het een en is niet ik je u van voor met mijn hallo bedankt dank bestelling wanneer waar heb"),
    };

    public static string? Of(string text)
    {
        var words = Words(text).ToList();
        if (words.Count < 2)
        {
            return null;
        }
        var scores = Common.Select(l => (Language: l.Key, Hits: words.Count(l.Value.Contains))).OrderByDescending(s => s.Hits).ToList();
        var (best, second) = (scores[0], scores[1]);
        return best.Hits >= 2 && best.Hits >= second.Hits * 1.5 && best.Hits > second.Hits ? best.Language : null;
    }

    /// <summary>The text's words in lower case (letters only).</summary>
    public static IEnumerable<string> Words(string text) => Word().Matches(text).Select(m => m.Value.ToLowerInvariant());

    private static HashSet<string> Set(string words) => words.Split(' ').ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex Word();
}
