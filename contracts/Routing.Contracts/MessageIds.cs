using System.Security.Cryptography;
using System.Text;

namespace Routing.Contracts;

/// <summary>
/// The id rule every adapter must share, so it lives with the contracts: a name-based (RFC 9562
/// version 5) UUID of "channel:providerMessageId". A provider's retry, a second adapter replica and
/// a broker redelivery all carry the same MessageId, and routing keeps it as a permanent unique key.
/// </summary>
public static class MessageIds
{
    private static readonly Guid InboundNamespace = new("4f1c5e0a-3b1d-4c59-9a57-0d1b8f0e6a21");

    public static Guid ForInbound(string channel, string providerMessageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerMessageId);
        return NameBased(InboundNamespace, channel.Trim().ToLowerInvariant() + ":" + providerMessageId);
    }

    public static Guid NameBased(Guid @namespace, string name)
    {
        Span<byte> buffer = stackalloc byte[16];
        @namespace.TryWriteBytes(buffer, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        buffer.CopyTo(input);
        nameBytes.CopyTo(input, 16);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 names for version 5; this is an identifier, not a signature.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
