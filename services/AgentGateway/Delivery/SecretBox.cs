using System.Security.Cryptography;
using System.Text;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Secrets the gateway must use again (webhook signing secrets) are stored encrypted with AES-256-GCM under a
/// key from configuration (Gateway:SecretKey, 32 bytes in base64, from a Kubernetes Secret): nonce | tag | ciphertext.
/// A changed or truncated value fails to decrypt instead of yielding a wrong secret.
/// </summary>
internal sealed class SecretBox
{
    private const int NonceSize = 12, TagSize = 16;
    private readonly byte[] _key;

    public SecretBox(string base64Key)
    {
        _key = Convert.FromBase64String(base64Key);
        if (_key.Length != 32)
        {
            throw new ArgumentException("Gateway:SecretKey must be 32 bytes in base64 (e.g. openssl rand -base64 32).", nameof(base64Key));
        }
    }

    public byte[] Seal(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealed_ = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealed_.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealed_.AsSpan(NonceSize + TagSize), sealed_.AsSpan(NonceSize, TagSize));
        return sealed_;
    }

    public string Open(byte[] sealed_)
    {
        if (sealed_.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed secret is too short.");
        }
        var plain = new byte[sealed_.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealed_.AsSpan(0, NonceSize), sealed_.AsSpan(NonceSize + TagSize), sealed_.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
