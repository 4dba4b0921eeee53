namespace Routing.MailAuthentication;

/// <summary>Whether a mail's From is its sender's, and the verdicts that said so, in words for people ("spf=pass (example.com)").</summary>
public sealed record SenderVerdict(bool Verified, string Summary)
{
    public static readonly SenderVerdict Unchecked = new(false, "none");
}

/// <summary>
/// A From address is its sender's when DMARC passed for it, or when SPF or DKIM passed for a domain aligned with the
/// From's domain (DMARC's relaxed alignment: the same domain, or one a subdomain of the other; without the public
/// suffix list, which only matters to a sender who controls a parent domain's DNS, which nobody outside it does).
/// Anything else (fail, softfail, neutral, none, a pass for an unrelated domain, no verdict at all, several From
/// mailboxes) leaves it unverified: a sender anybody could have written.
/// </summary>
public static class SenderAuthentication
{
    public static SenderVerdict Evaluate(string? fromAddress, int fromCount, IReadOnlyCollection<AuthenticationCheck> checks)
    {
        var summary = checks.Count == 0 ? "none" : string.Join(", ", checks.Distinct());
        var from = AuthenticationCheck.DomainOf(fromAddress);
        if (from is null || fromCount != 1 || !fromAddress!.Contains('@'))
        {
            return new SenderVerdict(false, summary);
        }
        var verified = checks.Any(c => c.Passed && c.Method switch
        {
            "dmarc" => c.Domain is null || Aligned(c.Domain, from),
            "dkim" or "spf" => c.Domain is not null && Aligned(c.Domain, from),
            _ => false,
        });
        return new SenderVerdict(verified, summary);
    }

    /// <summary>Relaxed alignment: equal, or one is a subdomain of the other.</summary>
    public static bool Aligned(string a, string b) =>
        a.Contains('.') && b.Contains('.') // a bare top-level domain aligns with nothing
        && (a == b || a.EndsWith("." + b, StringComparison.Ordinal) || b.EndsWith("." + a, StringComparison.Ordinal));
}
