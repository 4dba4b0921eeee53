using System.Security.Cryptography;
using System.Text;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Meta;

/// <summary>
/// Meta's webhook signature (Messenger, WhatsApp Cloud API): X-Hub-Signature-256 is "sha256=" and the
/// lower-case hex HMAC-SHA256 of the raw body, keyed by the app secret.
/// </summary>
public static class MetaSignature
{
    public const string Header = "X-Hub-Signature-256";

    public static string Compute(string appSecret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    public static SignatureCheck Verify(string appSecret, WebhookRequest request)
    {
        var signature = request.Header(Header);
        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }
        var expected = Encoding.ASCII.GetBytes(Compute(appSecret, request.Body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant()))
            ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }
}
