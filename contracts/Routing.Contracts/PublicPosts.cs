using System.Globalization;
using System.Text.RegularExpressions;

namespace Routing.Contracts;

/// <summary>
/// Whether a message is seen by the customer alone (a direct message, an SMS, a mail) or by everyone (a post that mentions
/// the company, a comment under one of its posts). Public messages are the most urgent a company gets: routing serves them
/// first (Routing:Public), and agents are shown that their answer will be public.
/// </summary>
public static class MessageVisibility
{
    public const string Private = "private";
    public const string Public = "public";

    public static bool IsKnown(string? visibility) => visibility is Private or Public;
}

/// <summary>Where a public message was written: the post it is under, and the comment or post it answers.</summary>
public sealed record PublicPost
{
    /// <summary>The post the message belongs to (X: the post it replies to, or its own id; Facebook: the Page post; Instagram: the media).</summary>
    public required string PostId { get; init; }

    /// <summary>A link to the message on the provider's site, for the agent to see it where the customer wrote it.</summary>
    public string? Permalink { get; init; }

    /// <summary>The comment or post this one answers, when it is a reply in a thread.</summary>
    public string? ParentId { get; init; }

    /// <summary>Who wrote the parent (a handle or a name), when the delivery says.</summary>
    public string? ParentAuthor { get; init; }

    /// <summary>The parent's words, when the delivery carries them (X's quoted post).</summary>
    public string? ParentText { get; init; }

    /// <summary>What kind of message it is: "mention", "reply", "quote", "comment", "post".</summary>
    public string? Kind { get; init; }
}

/// <summary>
/// How long a public reply may be on each channel, from the providers' documented limits, shared so that the gateway refuses
/// an overlong public reply while the agent writes and the adapter never posts one the provider would cut or refuse.
/// X: 280 by X's weighting (most Latin, Greek, Cyrillic and Hebrew characters count 1, others such as CJK and emoji 2, a link
/// 23). Facebook: a comment of 8000 characters. Instagram: a comment of 2200 characters.
/// </summary>
public static partial class PublicReplies
{
    public const int MaxPostLength = 280;

    private const int LinkLength = 23;

    /// <summary>Why the text cannot be a public reply on the channel, or null when it can.</summary>
    public static string? Refusal(string channel, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (length, limit) = channel switch
        {
            Channels.Twitter => (WeightedLength(text), MaxPostLength),
            Channels.Facebook => (text.Length, 8000),
            Channels.Instagram => (text.Length, 2200),
            _ => (0, -1),
        };
        if (limit < 0)
        {
            return $"{channel} has no public replies";
        }
        if (text.Trim().Length == 0)
        {
            return "a public reply needs words";
        }
        return length > limit
            ? string.Create(CultureInfo.InvariantCulture, $"a public reply on {channel} is at most {limit} characters; this one counts {length}")
            : null;
    }

    /// <summary>
    /// How long after a public message a private reply to it may be sent, on the channels where a private reply is the
    /// provider's own kind of message (Meta's: one per comment or post, within 7 days of it); null where a private answer is an
    /// ordinary direct message (X).
    /// </summary>
    public static TimeSpan? PrivateReplyWindow(string channel) =>
        channel is Channels.Facebook or Channels.Instagram ? TimeSpan.FromDays(7) : null;

    /// <summary>
    /// Why a private reply to a public message written at <paramref name="writtenAt"/> cannot be sent now, or null when it can:
    /// past the channel's window, or when that message was answered privately already.
    /// </summary>
    public static string? PrivateReplyRefusal(string channel, DateTimeOffset writtenAt, DateTimeOffset now, bool answeredPrivatelyBefore)
    {
        if (PrivateReplyWindow(channel) is not { } window)
        {
            return null;
        }
        if (answeredPrivatelyBefore)
        {
            return $"{channel} takes one private reply per comment or post, and this one has had its private reply; "
                   + "the customer's answer to it opens the direct conversation, or answer in public";
        }
        return now - writtenAt > window
            ? string.Create(CultureInfo.InvariantCulture,
                $"{channel} takes a private reply within {window.TotalDays:0} days of the comment or post, and this one was written {(now - writtenAt).TotalDays:0} days ago; answer in public")
            : null;
    }

    /// <summary>Whether the channel can answer a public message in public.</summary>
    public static bool Supported(string channel) => channel is Channels.Twitter or Channels.Facebook or Channels.Instagram;

    /// <summary>X's weighted length: a link counts 23, a character in X's light ranges 1, any other 2.</summary>
    public static int WeightedLength(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = 0;
        var at = 0;
        foreach (Match link in Link().Matches(text))
        {
            length += Weigh(text.AsSpan(at, link.Index - at)) + LinkLength;
            at = link.Index + link.Length;
        }
        return length + Weigh(text.AsSpan(at));
    }

    private static int Weigh(ReadOnlySpan<char> text)
    {
        var length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var c = rune.Value;
            length += c is <= 4351 or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 1 : 2;
        }
        return length;
    }

    [GeneratedRegex(@"https?://\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Link();
}
