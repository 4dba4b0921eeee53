using System.Globalization;
using System.Text;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Rendering;

/// <summary>
/// Agents' events as the text of mails: a conversation opens with the customer's context and why it came to this
/// agent; every later event is a short mail in the same thread (the Email folder threads and sends them).
/// </summary>
internal static class AgentMailText
{

    /// <summary>The subject a conversation's thread has: "[SMS] Maria Rossi: Hello, my order is late".</summary>
    public static string Subject(ToolEvent e)
    {
        var first = e.Messages.FirstOrDefault();
        var gist = first?.Subject ?? first?.Text.Split('\n')[0] ?? "";
        return Clip($"[{e.ChannelLabel}] {e.CustomerLabel}" + (gist.Length > 0 ? ": " + gist : ""), 120);
    }

    /// <summary>The body of the mail an event sends, or null when it sends none (sent, delivered and read statuses).</summary>
    public static string? Body(ToolEvent e) => e.Type switch
    {
        EventTypes.ConversationAssigned => Opening(e),
        EventTypes.MessageReceived => Transcript(e.Messages) + Footer(),
        EventTypes.ConversationReleased => $"This conversation is no longer yours: {e.Reason ?? "released by routing"}.\n",
        EventTypes.ConversationClosed => $"Closed by {e.ClosedBy ?? "routing"}" + (e.Reason is { } reason ? $": {reason}\n" : ".\n"),
        EventTypes.Notice => (e.NoticeText ?? "") + "\n",
        EventTypes.FollowUp => $"{e.FollowUpSentence}:\n{e.FollowUpText}\n",
        EventTypes.TransferOffered =>
            $"{e.TransferFrom ?? "Another agent"} asks you to take this conversation with {e.CustomerLabel} on {e.ChannelLabel}" +
            (e.OfferExpiresAt is { } until ? $" until {until:u}" : "") + (e.Note is { Length: > 0 } note ? $":\n{note}\n" : ".\n") +
            (e.Messages.Count > 0 ? "\n" + Transcript(e.Messages.TakeLast(5)) : "") +
            "Answer \"accept\" to take it, or \"decline\" (\"decline: on a call\" with a reason).\n",
        EventTypes.TransferEnded => (e.Reason ?? "The transfer ended.") + "\n",
        EventTypes.ConversationHeld => e.HeldSentence + "\n" + (e.Messages.Count > 0 ? "\n" + Transcript(e.Messages) : ""),
        EventTypes.ReplyStatus when e.ReplyStatus == "failed" =>
            $"A reply on {e.ChannelLabel} was not delivered: {e.ErrorMessage ?? "no reason given"}" +
            (e.ErrorCode is { } code ? $" ({code})" : "") + ".\n",
        EventTypes.ReplyStatus when e.ReplyStatus == "unknown" =>
            $"A reply on {e.ChannelLabel} may or may not have gone out ({e.ErrorCode ?? "no answer"}): the provider gave no clear answer. " +
            "Its delivery report will say; please do not send it again yet.\n",
        _ => null,
    };

    private static string Opening(ToolEvent e)
    {
        var text = new StringBuilder();
        text.Append(e.CustomerLabel).Append(" on ").Append(e.ChannelLabel).Append(". Why you: ").Append(e.RoutingSummary).Append('\n');
        if (e.RequiresAccept)
        {
            text.Append("This conversation is offered to you").Append(e.OfferExpiresAt is { } until ? $" until {until:u}" : "")
                .Append(". Answer \"accept\" or \"decline\", or reply to the customer, which accepts it.\n");
        }
        text.Append('\n').Append(Transcript(e.Messages.TakeLast(10)));
        text.Append("\n----\nReaches: ").Append(e.Addresses.Count == 0 ? "no address" : string.Join("; ", e.Addresses)).Append('\n');
        text.Append("Owners: ").Append(e.Owners.Count == 0 ? "none yet" : string.Join(", ", e.Owners)).Append('\n');
        text.Append("Handled before by: ").Append(e.History.Count == 0 ? "nobody yet" : string.Join("; ", e.History)).Append('\n');
        if (e.Tags.Count > 0)
        {
            text.Append("Tags: ").Append(string.Join(", ", e.Tags)).Append('\n');
        }
        if (e.CustomerNotes.Count > 0)
        {
            text.Append("\nNotes on the customer:\n").AppendJoin("", e.CustomerNotes.Take(5).Select(n => "- " + n.ReplaceLineEndings("\n  ") + "\n"));
        }
        if (e.Earlier.Count > 0)
        {
            text.Append("\nEarlier conversations:\n\n").Append(Transcript(e.Earlier.Take(5)));
        }
        return text.Append(Footer()).ToString();
    }

    private static string Footer() =>
        "\n----\nReply to this mail to answer the customer; only what you write above the quoted text is sent.\n" +
        "Or answer with a command alone: \"close\" (\"close: resolved\"), \"transfer to ben\" or \"transfer to team billing\" (\"warm transfer to …\" " +
        "asks them first; a note for them after a colon or on the lines below), \"away\", \"available\" or \"offline\".\n" +
        "\"note: …\" (the lines below too) keeps a note on the customer for whoever serves them next, not sent to them; \"tag: vip, returns\" and \"untag: vip\" change their tags, \"name: …\" names them where the channel does not.\n" +
        "\"follow up in 3 days: Did the replacement arrive?\" sends that to the customer then (after you close), and their answer comes back to you.\n" +
        "Under a public post or comment your reply is public; begin it with \"private:\" to answer in a direct message instead.\n";

    private static string Transcript(IEnumerable<ToolLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line.From).Append(" (").Append(line.ChannelLabel).Append(", ")
                .Append(line.At.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append("):\n");
            if (line.Subject is { Length: > 0 } subject)
            {
                text.Append("Subject: ").Append(subject).Append('\n');
            }
            if (line.Public is { } what)
            {
                text.Append("[").Append(what).Append(line.Permalink is { } link ? $": {link}" : "").Append("]\n");
            }
            text.Append(line.Text).Append('\n');
            if (line.Public is not null && !line.FromAgent)
            {
                text.Append("(Everyone can read this: ").Append(ToolLine.PublicReplyHint).Append(".)\n");
            }
            foreach (var attachment in line.Attachments)
            {
                text.Append("[attachment] ").Append(attachment.ToString()).Append('\n');
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Clip(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
