using Routing.Contracts;

namespace Routing.Adapters.Outbound;

/// <summary>One message of a reply that goes as several: the text, a file, or a file carrying the text as its caption.</summary>
public sealed record ReplyPart(string? Text, MessageAttachment? File);

/// <summary>
/// A reply on a channel whose API takes one file per message (WhatsApp, Messenger, X): each file goes as a message of its
/// own, the text with the first file that can carry it, else alone before them. Each part is sent at most once, as a
/// whole command is (<see cref="RecentSends"/>, under an id derived from the command's): a command delivered again after a
/// part failed sends only the parts that did not go. The reply's provider id is its last part's.
/// </summary>
public sealed class ReplyParts(RecentSends recent)
{
    private static readonly Guid PartNamespace = new("8d1f4a52-95c3-4e0b-b7a6-2f4c1e9d7a30");

    /// <summary>The parts of <paramref name="command"/>: <paramref name="carriesText"/> says which file may carry the text.</summary>
    public static IReadOnlyList<ReplyPart> Of(SendChannelMessage command, Func<MessageAttachment, bool> carriesText)
    {
        var text = string.IsNullOrEmpty(command.Text) ? null : command.Text;
        if (command.Attachments.Count == 0)
        {
            return [new ReplyPart(text, null)];
        }
        var captioned = text is null ? -1 : command.Attachments.ToList().FindIndex(f => carriesText(f));
        var parts = new List<ReplyPart>();
        if (text is not null && captioned < 0)
        {
            parts.Add(new ReplyPart(text, null));
        }
        parts.AddRange(command.Attachments.Select((file, i) => new ReplyPart(i == captioned ? text : null, file)));
        return parts;
    }

    /// <summary>
    /// Sends the parts in order, stopping at the first that does not go; its outcome says which part it was. A sender that
    /// tries the reply a second way (Messenger's HUMAN_AGENT tag after the window refusal) names that <paramref name="way"/>,
    /// so the second way's parts are not answered from the first way's refusals.
    /// </summary>
    public async Task<SendOutcome> SendAsync(SendChannelMessage command, IReadOnlyList<ReplyPart> parts, Func<ReplyPart, Task<SendOutcome>> send,
        string way = "")
    {
        if (parts.Count == 1)
        {
            return await send(parts[0]);
        }
        SendOutcome? last = null;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var (outcome, _) = await recent.SendOnceAsync(MessageIds.NameBased(PartNamespace, $"{command.CommandId:N}:{way}:{i}"), () => send(part));
            if (outcome.ProviderMessageId is null)
            {
                var what = part.File is { } file ? file.FileName ?? file.ContentType : "the text";
                var sentBefore = i == 0 ? "" : $" ({i} of {parts.Count} messages went out before it)";
                return outcome with { ErrorMessage = $"{what}: {outcome.ErrorMessage}{sentBefore}" };
            }
            last = outcome;
        }
        return last!;
    }
}
