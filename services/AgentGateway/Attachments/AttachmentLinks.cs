using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Attachments;

/// <summary>
/// Links that open an attachment without the agent's token, for a limited time: /attachments/{id}/open?expires={unix}&amp;signature=
/// {HMAC-SHA256 of "id:expires"}, under a key derived from Gateway:SecretKey (so no new secret to manage). Whoever holds
/// the link opens the file until it expires, as with any signed URL; the agent API hands out short ones.
/// </summary>
internal sealed class AttachmentLinks(IOptions<AttachmentOptions> options, IConfiguration configuration, TimeProvider time)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(configuration["Gateway:SecretKey"]
        ?? throw new InvalidOperationException("Gateway:SecretKey is not set (32 random bytes in base64).")), 32, info: "attachment-links"u8.ToArray());

    /// <summary>The gateway's own address as agents reach it, without a trailing slash; empty when unknown (links stay relative).</summary>
    public string BaseUrl =>
        (options.Value.PublicBaseUrl ?? configuration["Webhooks:PublicBaseUrl"] ?? "").TrimEnd('/');

    public string Signed(Guid id, TimeSpan lifetime)
    {
        var expires = time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        return $"{BaseUrl}{AttachmentIds.Path(id)}/open?expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={Signature(id, expires)}";
    }

    /// <summary>Whether the link's signature is this gateway's and it has not expired.</summary>
    public bool Valid(Guid id, string? expires, string? signature, out bool expired)
    {
        expired = false;
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var at) || signature is not { Length: 64 })
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        if (!CryptographicOperations.FixedTimeEquals(given, Convert.FromHexString(Signature(id, at))))
        {
            return false;
        }
        expired = time.GetUtcNow().ToUnixTimeSeconds() > at;
        return !expired;
    }

    private string Signature(Guid id, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id:N}:{expires.ToString(CultureInfo.InvariantCulture)}")));
}
