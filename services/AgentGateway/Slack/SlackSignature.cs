using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Routing.AgentGateway.Slack;

/// <summary>What a Slack request's signature check found: none (401), wrong or outside the replay window (403), or valid.</summary>
internal enum SlackCheck
{
    Valid,
    Missing,
    Invalid,
    Stale,
}

/// <summary>
/// Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack), for the Events API
/// and interactivity: X-Slack-Signature is "v0=" and the hex HMAC-SHA256, keyed by the app's signing secret, of
/// "v0:{X-Slack-Request-Timestamp}:{raw body}". A timestamp more than the replay window (Slack suggests five
/// minutes) from now is refused, so a captured request cannot be replayed later.
/// </summary>
internal static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    public static string Compute(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), content));
    }

    public static SlackCheck Verify(string signingSecret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SlackCheck.Missing;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SlackCheck.Invalid;
        }
        // beyond what a date can hold is as stale as can be, and must not throw before the signature is checked
        if (seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > window)
        {
            return SlackCheck.Stale;
        }
        var expected = Encoding.ASCII.GetBytes(Compute(signingSecret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.Trim()))
            ? SlackCheck.Valid : SlackCheck.Invalid;
    }
}
