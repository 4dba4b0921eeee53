using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com, spec "Signature scheme"): the signed content is
/// "{webhook-id}.{webhook-timestamp}.{body}", the key is the base64 part of a "whsec_" secret, and
/// webhook-signature is "v1," + base64 HMAC-SHA256, several space-separated while a secret is rotated. Any
/// receiver library of the standard (Svix's among them) verifies what this signs.
/// </summary>
internal static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string Prefix = "whsec_";

    /// <summary>A new secret: "whsec_" and 32 random bytes in base64 (the spec asks for 24 to 64).</summary>
    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret; throws <see cref="FormatException"/> for one that is not "whsec_" + base64.</summary>
    public static byte[] Key(string secret) =>
        Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);

    /// <summary>"v1,{base64}" for each secret (one, or the new and the old during a rotation), space-separated.</summary>
    public static string Sign(IEnumerable<string> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var content = Content(id, timestamp, body);
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content))));
    }

    /// <summary>
    /// What a receiver checks: a v1 signature matching the secret, over a timestamp within <paramref name="tolerance"/>
    /// of <paramref name="now"/> (the spec suggests five minutes against replays).
    /// </summary>
    public static bool Verify(string secret, string id, string timestamp, string signatures, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() // no date holds it: refused, never thrown
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(Key(secret), Content(id, seconds, body))));
        return signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Split(',', 2))
            .Any(parts => parts is ["v1", var value] && CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(value)));
    }

    private static byte[] Content(string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return content;
    }
}
