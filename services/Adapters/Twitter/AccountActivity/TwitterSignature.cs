using System.Security.Cryptography;
using System.Text;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// X's webhook security (Account Activity API, "Securing webhooks"): x-twitter-webhooks-signature is "sha256="
/// and the base64 HMAC-SHA256 of the raw body keyed by the consumer secret; the CRC answer is the same HMAC
/// over the crc_token.
/// </summary>
internal static class TwitterSignature
{
    public const string Header = "x-twitter-webhooks-signature";

    public static string Compute(string consumerSecret, byte[] data) =>
        "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(consumerSecret), data));

    public static SignatureCheck Verify(string consumerSecret, WebhookRequest request)
    {
        var signature = request.Header(Header);
        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }
        // Base64 is case-sensitive: compared exactly, only the prefix is case-insensitive.
        var given = signature.Trim();
        if (given.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
        {
            given = "sha256=" + given["sha256=".Length..];
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(consumerSecret, request.Body)), Encoding.ASCII.GetBytes(given))
            ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }
}
