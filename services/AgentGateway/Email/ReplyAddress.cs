using System.Security.Cryptography;
using System.Text;

namespace Routing.AgentGateway.Email;

/// <summary>
/// A conversation's reply address for one agent: the reply mailbox with "+" and a token, e.g.
/// reply+g4ztmnbvgu3dkmjqgaytimbtheydo4ttgqzdcnrvhe2dq@example.com. The token is the conversation id and an HMAC of
/// it and the agent (keyed from Gateway:SecretKey), in lower-case base32 because mail servers may change the case of
/// a local part. It holds only while the conversation is that agent's: a forged, altered or stale token is refused.
/// </summary>
internal sealed class ReplyAddress
{
    private const int MacLength = 10;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private readonly byte[][] _keys;

    /// <param name="previousKeysBase64">Gateway:PreviousSecretKeys: reply addresses made under them still hold after a rotation</param>
    public ReplyAddress(string secretKeyBase64, IEnumerable<string>? previousKeysBase64 = null) =>
        _keys = [.. new[] { secretKeyBase64 }.Concat(previousKeysBase64 ?? [])
            .Select(key => HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(key), 32, info: "agent reply address"u8.ToArray()))];

    /// <summary>The address an agent's reply about <paramref name="conversationId"/> is sent to.</summary>
    public string For(string replyMailbox, Guid conversationId, string agentId)
    {
        var at = replyMailbox.LastIndexOf('@');
        var token = conversationId.ToByteArray().Concat(Mac(_keys[0], conversationId, agentId)).ToArray();
        return $"{replyMailbox[..at]}+{Base32(token)}{replyMailbox[at..]}";
    }

    /// <summary>The conversation a reply address names, if it is one of these addresses (its token still to be checked against the agent).</summary>
    public static (Guid ConversationId, byte[] Mac)? Read(string address, string replyMailbox)
    {
        var at = replyMailbox.LastIndexOf('@');
        var prefix = replyMailbox[..at] + "+";
        var domain = replyMailbox[at..];
        if (!address.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !address.EndsWith(domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = FromBase32(address[prefix.Length..^domain.Length].ToLowerInvariant());
        return token is { Length: 16 + MacLength } ? (new Guid(token.AsSpan(0, 16)), token[16..]) : null;
    }

    /// <summary>Whether the token was made for this conversation and <paramref name="agentId"/>.</summary>
    public bool Holds(Guid conversationId, byte[] mac, string agentId) =>
        _keys.Aggregate(false, (holds, key) => CryptographicOperations.FixedTimeEquals(mac, Mac(key, conversationId, agentId)) | holds);

    private static byte[] Mac(byte[] key, Guid conversationId, string agentId) =>
        HMACSHA256.HashData(key, conversationId.ToByteArray().Concat(Encoding.UTF8.GetBytes(agentId)).ToArray())[..MacLength];

    private static string Base32(byte[] bytes)
    {
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }
        return text.ToString();
    }

    private static byte[]? FromBase32(string text)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var value = Alphabet.IndexOf(c);
            if (value < 0)
            {
                return null;
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return bytes.ToArray();
    }
}
