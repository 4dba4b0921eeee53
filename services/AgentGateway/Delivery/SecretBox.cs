using System.Security.Cryptography;
using System.Text;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Secrets the gateway must use again (webhook signing secrets) are stored encrypted with AES-256-GCM under a key from
/// configuration (Gateway:SecretKey, 32 bytes in base64, from a Kubernetes Secret): key id | nonce | tag | ciphertext,
/// where the key id is 4 bytes derived from the key. A changed or truncated value fails to decrypt instead of yielding a
/// wrong secret. Rotation without downtime: the new key becomes Gateway:SecretKey and the old one goes to
/// Gateway:PreviousSecretKeys, which still open (never seal); <see cref="SealedSecretRotation"/> re-seals what they sealed,
/// after which they can go. Values sealed before key ids existed (nonce | tag | ciphertext) open with any configured key.
/// </summary>
internal sealed class SecretBox
{
    private const int IdSize = 4, NonceSize = 12, TagSize = 16;
    private readonly (byte[] Id, byte[] Key)[] _keys;

    public SecretBox(string currentBase64, IEnumerable<string>? previousBase64 = null)
    {
        _keys = [.. new[] { currentBase64 }.Concat(previousBase64 ?? []).Select(Key).Select(key => (IdOf(key), key))];
        if (_keys.Select(k => Convert.ToHexString(k.Id)).Distinct().Count() != _keys.Length)
        {
            throw new ArgumentException("Gateway:PreviousSecretKeys repeats a key (or Gateway:SecretKey itself).");
        }
    }

    public byte[] Seal(string secret)
    {
        var (id, key) = _keys[0];
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealed_ = new byte[IdSize + NonceSize + TagSize + plain.Length];
        id.CopyTo(sealed_, 0);
        var nonce = sealed_.AsSpan(IdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealed_.AsSpan(IdSize + NonceSize + TagSize), sealed_.AsSpan(IdSize + NonceSize, TagSize));
        return sealed_;
    }

    public string Open(byte[] sealed_)
    {
        if (sealed_.Length >= IdSize + NonceSize + TagSize && _keys.FirstOrDefault(k => sealed_.AsSpan(0, IdSize).SequenceEqual(k.Id)) is { Key: { } key }
            && TryDecrypt(key, sealed_.AsSpan(IdSize)) is { } plain)
        {
            return plain;
        }
        // sealed before key ids: the key that opens it is the one (GCM authenticates, so no other yields anything)
        foreach (var (_, candidate) in _keys)
        {
            if (TryDecrypt(candidate, sealed_) is { } legacy)
            {
                return legacy;
            }
        }
        throw new CryptographicException("No configured key opens the sealed secret (Gateway:SecretKey, Gateway:PreviousSecretKeys).");
    }

    /// <summary>Whether the value was sealed by the current key (otherwise <see cref="SealedSecretRotation"/> seals it again).</summary>
    public bool IsCurrent(byte[] sealed_) => sealed_.Length >= IdSize && sealed_.AsSpan(0, IdSize).SequenceEqual(_keys[0].Id);

    private static string? TryDecrypt(byte[] key, ReadOnlySpan<byte> sealed_)
    {
        if (sealed_.Length < NonceSize + TagSize)
        {
            return null;
        }
        var plain = new byte[sealed_.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealed_[..NonceSize], sealed_[(NonceSize + TagSize)..], sealed_.Slice(NonceSize, TagSize), plain);
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Key(string base64)
    {
        var key = Convert.FromBase64String(base64);
        return key.Length == 32 ? key : throw new ArgumentException("Gateway:SecretKey and Gateway:PreviousSecretKeys must be 32 bytes in base64 (e.g. openssl rand -base64 32).");
    }

    private static byte[] IdOf(byte[] key) => SHA256.HashData([.. "gateway sealing key id"u8, .. key])[..IdSize];
}
