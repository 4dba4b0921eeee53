using System.Text.RegularExpressions;

namespace Routing.ServiceDefaults;

/// <summary>
/// Keeps customers' addresses out of logs and traces. Providers put them where the platform does not control the text:
/// Twilio's "The 'To' number +1415… is not a valid phone number", X's DM URL ".../dm_conversations/with/{user id}/messages".
/// Text is masked (email addresses, phone numbers, long digit runs); a URL keeps its scheme, host and the shape of its
/// path, with segments that could identify a person masked and no query.
/// </summary>
public static partial class PersonalData
{
    public const string Mask = "[redacted]";

    /// <summary><paramref name="text"/> with email addresses, phone numbers and other runs of 5 or more digits masked.</summary>
    public static string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? "" : Digits().Replace(Email().Replace(text, Mask), Mask);

    /// <summary>The URL for a log or a span: scheme, host, port and path, each path segment with an address or 5+ digits masked.</summary>
    public static string RedactUrl(Uri? url) => RedactUrl(url, []);

    /// <summary>As <see cref="RedactUrl(Uri?)"/>, with each of <paramref name="secrets"/> (a token a provider wants in its paths) masked where it occurs.</summary>
    public static string RedactUrl(Uri? url, IReadOnlyCollection<string> secrets)
    {
        if (url is null || !url.IsAbsoluteUri)
        {
            return "";
        }
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(segment => Uri.UnescapeDataString(segment) is var decoded && (decoded.Contains('@') || LongDigits().IsMatch(decoded)) ? Mask : segment)
            .Select(segment => secrets.Aggregate(Uri.UnescapeDataString(segment), (s, secret) => s.Replace(secret, Mask, StringComparison.Ordinal)) is var masked
                               && masked != Uri.UnescapeDataString(segment) ? masked : segment);
        return url.GetLeftPart(UriPartial.Authority) + "/" + string.Join('/', segments);
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // +1 (415) 555-0123, 447911123456, 0044 7911 123456: a + or digit, then digits and separators, ending in a digit,
    // at least 5 digits in all
    [GeneratedRegex(@"\+?\d(?:[\s().-]{0,2}\d){4,}")]
    private static partial Regex Digits();

    [GeneratedRegex(@"\d{5,}")]
    private static partial Regex LongDigits();
}
