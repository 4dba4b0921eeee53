using System.Security.Cryptography;
using System.Text;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Email.Inbound;

/// <summary>
/// Postmark and SendGrid authenticate their inbound posts only with the user and password written into the
/// webhook URL (https://user:password@host/...), which arrive as HTTP basic authentication.
/// </summary>
internal static class BasicAuth
{
    public static SignatureCheck Verify(WebhookRequest request, string username, string password)
    {
        var header = request.Header("Authorization");
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.Missing;
        }
        var expected = Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        return !string.IsNullOrEmpty(username) && CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(header["Basic ".Length..].Trim()))
            ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }
}
