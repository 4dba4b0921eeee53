namespace Routing.MailAuthentication;

/// <summary>
/// One verdict about a mail: the method (spf, dkim, dmarc), its result as the checker wrote it (pass, fail, softfail,
/// neutral, none, temperror, permerror), and the domain it speaks for (SPF's envelope sender, DKIM's signing domain d=,
/// DMARC's From domain), lower case, or null when the checker did not say.
/// </summary>
public sealed record AuthenticationCheck(string Method, string Result, string? Domain)
{
    public bool Passed => Result == "pass";

    public override string ToString() => Domain is null ? $"{Method}={Result}" : $"{Method}={Result} ({Domain})";

    /// <summary>The domain of an address or of a bare domain ("user@Example.COM." and "example.com" both give "example.com").</summary>
    public static string? DomainOf(string? addressOrDomain)
    {
        var value = addressOrDomain?.Trim().Trim('<', '>', '"').Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        var at = value.LastIndexOf('@');
        var domain = (at >= 0 ? value[(at + 1)..] : value).TrimEnd('.').ToLowerInvariant();
        return domain.Length == 0 || domain.Contains(' ') ? null : domain;
    }
}
