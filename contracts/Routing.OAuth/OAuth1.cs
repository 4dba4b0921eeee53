using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Routing.OAuth;

/// <summary>
/// OAuth 1.0a request signing, HMAC-SHA1, as X's user-context endpoints take it (RFC 5849 §3.4; X's
/// "Authorizing a request" and "Creating a signature" guides). The signature base string covers the method,
/// the URL without its query, and every oauth_ parameter with the query and any form parameters, each
/// percent-encoded per RFC 3986 and sorted. A JSON body is not part of the signature.
/// </summary>
public static class OAuth1
{
    public sealed record Credentials(string ConsumerKey, string ConsumerSecret, string Token, string TokenSecret);

    /// <summary>The Authorization header's value for one request signed at <paramref name="now"/>; <paramref name="nonce"/> is fixed only in tests.</summary>
    public static string Authorization(string method, Uri url, Credentials credentials, DateTimeOffset now,
        IEnumerable<KeyValuePair<string, string>>? formParameters = null, string? nonce = null)
    {
        var oauth = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = credentials.ConsumerKey,
            ["oauth_nonce"] = nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["oauth_signature_method"] = "HMAC-SHA1",
            ["oauth_timestamp"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["oauth_token"] = credentials.Token,
            ["oauth_version"] = "1.0",
        };
        oauth["oauth_signature"] = Signature(method, url, oauth.Concat(formParameters ?? []), credentials.ConsumerSecret, credentials.TokenSecret);
        return "OAuth " + string.Join(", ", oauth.Select(p => $"{Encode(p.Key)}=\"{Encode(p.Value)}\""));
    }

    /// <param name="parameters">the oauth_ parameters and any form parameters; the URL's query is added here</param>
    public static string Signature(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters, string consumerSecret, string tokenSecret)
    {
        var key = Encoding.ASCII.GetBytes(Encode(consumerSecret) + "&" + Encode(tokenSecret));
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.ASCII.GetBytes(BaseString(method, url, parameters))));
    }

    /// <summary>RFC 5849 §3.4.1: METHOD&amp;encoded-base-URL&amp;encoded-normalized-parameters, the URL's query among the parameters.</summary>
    public static string BaseString(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var normalized = parameters.Concat(Query(url))
            .Select(p => (Key: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value);
        return method.ToUpperInvariant() + "&" + Encode(BaseUrl(url)) + "&" + Encode(string.Join("&", normalized));
    }

    /// <summary>Scheme and host lower-cased, the default port dropped, no query or fragment (RFC 5849 §3.4.1.2).</summary>
    private static string BaseUrl(Uri url)
    {
        var port = url.IsDefaultPort ? "" : ":" + url.Port.ToString(CultureInfo.InvariantCulture);
        return $"{url.Scheme.ToLowerInvariant()}://{url.Host.ToLowerInvariant()}{port}{url.AbsolutePath}";
    }

    private static IEnumerable<KeyValuePair<string, string>> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var at = pair.IndexOf('=');
            return at < 0
                ? KeyValuePair.Create(Uri.UnescapeDataString(pair), "")
                : KeyValuePair.Create(Uri.UnescapeDataString(pair[..at].Replace('+', ' ')), Uri.UnescapeDataString(pair[(at + 1)..].Replace('+', ' ')));
        });

    /// <summary>RFC 3986 percent-encoding of UTF-8, every byte but the unreserved characters (RFC 5849 §3.6).</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
