using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Routing.Adapters.Sms.Twilio;

/// <summary>
/// X-Twilio-Signature: base64 of HMAC-SHA1, keyed by the auth token, over the full URL Twilio called
/// followed by every POST parameter's name and value, sorted by name (https://www.twilio.com/docs/usage/security).
/// </summary>
internal static class TwilioSignature
{
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (name, values) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var value in values)
            {
                data.Append(name).Append(value);
            }
        }
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public static bool Matches(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));
}
