using System.Text;

namespace Routing.MailAuthentication;

/// <summary>
/// Reads the verdicts a receiving server wrote into a mail: Authentication-Results (RFC 8601) and Received-SPF
/// (RFC 7208 section 9.1). Anybody can write these headers into a mail before sending it, so only the topmost
/// Authentication-Results of a trusted server (its authserv-id, which that server also strips from incoming mail)
/// counts; the rest are the sender's say-so.
/// </summary>
public static class AuthenticationHeaders
{
    /// <summary>The checks of the first (topmost) Authentication-Results whose authserv-id is trusted; none when no trusted server wrote one.</summary>
    /// <param name="headersTopDown">the values of the mail's Authentication-Results headers, in the mail's order</param>
    public static IReadOnlyList<AuthenticationCheck> Trusted(IEnumerable<string> headersTopDown, IReadOnlyCollection<string> trustedServers)
    {
        if (trustedServers.Count == 0)
        {
            return [];
        }
        foreach (var value in headersTopDown)
        {
            var (server, checks) = ParseAuthenticationResults(value);
            if (server is not null && trustedServers.Contains(server, StringComparer.OrdinalIgnoreCase))
            {
                return checks;
            }
        }
        return [];
    }

    /// <summary>
    /// "mx.example.com; spf=pass smtp.mailfrom=a@example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org":
    /// the authserv-id and one check per method. Comments, quoting, versions and unknown properties are allowed; a part
    /// that is not a method=result is skipped.
    /// </summary>
    public static (string? Server, IReadOnlyList<AuthenticationCheck> Checks) ParseAuthenticationResults(string value)
    {
        var parts = SplitOutsideQuotes(WithoutComments(value), ';');
        var head = Tokens(parts[0]);
        if (head.Count == 0)
        {
            return (null, []);
        }
        var checks = new List<AuthenticationCheck>();
        foreach (var part in parts.Skip(1))
        {
            var tokens = Tokens(part);
            if (tokens.Count == 0 || Pair(tokens[0]) is not var (methodSpec, result) || result.Length == 0)
            {
                continue;
            }
            var method = methodSpec.Split('/')[0].ToLowerInvariant();
            var properties = tokens.Skip(1).Select(Pair).Where(p => p is not null).Select(p => p!.Value)
                .GroupBy(p => p.Key.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First().Value);
            var domain = method switch
            {
                "dkim" => AuthenticationCheck.DomainOf(properties.GetValueOrDefault("header.d") ?? properties.GetValueOrDefault("header.i")),
                "spf" => AuthenticationCheck.DomainOf(properties.GetValueOrDefault("smtp.mailfrom")),
                "dmarc" => AuthenticationCheck.DomainOf(properties.GetValueOrDefault("header.from")),
                _ => null,
            };
            checks.Add(new AuthenticationCheck(method, result.ToLowerInvariant(), domain));
        }
        return (Unquote(head[0]), checks);
    }

    /// <summary>"Pass (mx: domain of a@example.org designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=a@example.org;".</summary>
    public static AuthenticationCheck? ParseReceivedSpf(string value)
    {
        var text = WithoutComments(value).Trim();
        var space = text.IndexOfAny([' ', '\t', ';']);
        var result = (space < 0 ? text : text[..space]).ToLowerInvariant();
        if (result.Length == 0)
        {
            return null;
        }
        var envelope = SplitOutsideQuotes(space < 0 ? "" : text[space..], ';').SelectMany(Tokens).Select(Pair)
            .FirstOrDefault(p => p is { } pair && pair.Key.Equals("envelope-from", StringComparison.OrdinalIgnoreCase));
        return new AuthenticationCheck("spf", result, AuthenticationCheck.DomainOf(envelope?.Value));
    }

    private static (string Key, string Value)? Pair(string token)
    {
        var equals = token.IndexOf('=');
        return equals <= 0 ? null : (token[..equals].Trim(), Unquote(token[(equals + 1)..].Trim()));
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"") : value;

    /// <summary>Whitespace-separated tokens, with "key = value" written as one token and quoted strings kept whole.</summary>
    private static List<string> Tokens(string part)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            if (c == '"' && (i == 0 || part[i - 1] != '\\'))
            {
                quoted = !quoted;
            }
            if (!quoted && char.IsWhiteSpace(c))
            {
                // spaces around '=' belong to the token ("dkim = pass")
                var next = NextNonSpace(part, i);
                if (next == '=' || (current.Length > 0 && current[^1] == '='))
                {
                    continue;
                }
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

    private static char NextNonSpace(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return text[i];
            }
        }
        return '\0';
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\'))
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>RFC 5322 comments (nested parentheses, backslash escapes) become a space; quoted strings are left as they are.</summary>
    private static string WithoutComments(string value)
    {
        var text = new StringBuilder(value.Length);
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length && (depth > 0 || quoted))
            {
                if (depth == 0)
                {
                    text.Append(c).Append(value[i + 1]);
                }
                i++;
                continue;
            }
            if (depth == 0 && c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
                continue;
            }
            else if (!quoted && c == ')' && depth > 0)
            {
                if (--depth == 0)
                {
                    text.Append(' ');
                }
                continue;
            }
            if (depth == 0)
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
