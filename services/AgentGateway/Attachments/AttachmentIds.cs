using System.Security.Cryptography;
using System.Text;
using Routing.Contracts;

namespace Routing.AgentGateway.Attachments;

/// <summary>
/// An attachment's id: derived from its message's id and its place in the message, so every copy of the message (the
/// assignment, MessageRouted, a transfer's offer) names the same file, and a link can be made without a lookup.
/// </summary>
internal static class AttachmentIds
{
    public static Guid For(Guid messageId, int index)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"attachment:{messageId:N}:{index}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a name-based id of our own
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>
    /// The attachments as agents get them: each one's link to the gateway's agent API, relative to the gateway's address as
    /// every path of that API is, never the provider's reference (which needs the provider's credentials, and may expire).
    /// </summary>
    public static IReadOnlyList<MessageAttachment> Exposed(IReadOnlyList<MessageAttachment> attachments, Guid messageId) =>
        attachments.Select((a, i) => a with { Url = Path(For(messageId, i)) }).ToList();

    public static string Path(Guid attachmentId) => $"/attachments/{attachmentId}";

    /// <summary>The attachment id of a link <see cref="Exposed(IReadOnlyList{MessageAttachment}, Guid)"/> made; null for anything else.</summary>
    public static Guid? FromPath(string? url) =>
        url is { Length: > 13 } && url.StartsWith("/attachments/", StringComparison.Ordinal) && Guid.TryParse(url["/attachments/".Length..], out var id) ? id : null;

    /// <summary>A message as agents get it: its attachments <see cref="Exposed(IReadOnlyList{MessageAttachment}, Guid)"/>.</summary>
    public static ConversationMessage Exposed(ConversationMessage message) =>
        message.Attachments.Count == 0 ? message : message with { Attachments = Exposed(message.Attachments, message.MessageId) };
}
