using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Contracts;

/// <summary>
/// A link to a file one service keeps for another to fetch without credentials (the email adapter's copy of a customer's
/// attachment, fetched by the agent gateway): "{url}?…&amp;expires={unix}&amp;signature={hex}", the signature an
/// HMAC-SHA256 under a key both hold, over the link's authority, path and query before it. The fetching side checks it
/// before making any request, so a reference nobody signed never reaches the network.
/// </summary>
public static class FileLinks
{
    private const string SignatureParameter = "&signature=";

    /// <summary><paramref name="url"/> (absolute, with a query of its own) made to expire at <paramref name="expires"/> and signed.</summary>
    public static string Sign(byte[] key, string url, DateTimeOffset expires)
    {
        var unsigned = $"{url}&expires={expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        return unsigned + SignatureParameter + Signature(key, new Uri(unsigned));
    }

    /// <summary>Whether <paramref name="url"/> carries a signature of <paramref name="key"/>'s over all of it, and has not expired at <paramref name="now"/>.</summary>
    public static bool Valid(byte[] key, Uri url, DateTimeOffset now)
    {
        var text = url.AbsoluteUri;
        var at = text.LastIndexOf(SignatureParameter, StringComparison.Ordinal);
        if (at < 0 || !Uri.TryCreate(text[..at], UriKind.Absolute, out var unsigned))
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(text[(at + SignatureParameter.Length)..]);
        }
        catch (FormatException)
        {
            return false;
        }
        if (!CryptographicOperations.FixedTimeEquals(given, Convert.FromHexString(Signature(key, unsigned))))
        {
            return false;
        }
        var expires = unsigned.Query.TrimStart('?').Split('&').LastOrDefault(p => p.StartsWith("expires=", StringComparison.Ordinal));
        return long.TryParse(expires?["expires=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            && now.ToUnixTimeSeconds() <= unix;
    }

    private static string Signature(byte[] key, Uri unsigned) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(unsigned.Authority + unsigned.PathAndQuery)));
}
