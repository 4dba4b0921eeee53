using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Rendering;

/// <summary>
/// Agents' events as Slack messages (Block Kit). A conversation opens as one message with the customer's context and
/// why it came to this agent (Accept and Decline buttons on an offer); everything after goes into its thread. What
/// customers wrote is escaped, so their text can never mention a channel or a user or forge a link.
/// </summary>
internal static partial class SlackMessages
{
    public const string AcceptAction = "conversation.accept";
    public const string DeclineAction = "conversation.decline";
    public const string CloseAction = "conversation.close";
    public const string TransferAction = "conversation.transfer";
    public const string NoteAction = "conversation.note";
    public const string FollowUpAction = "conversation.follow-up";
    public const string FollowUpCancelAction = "follow-up.cancel";
    public const string TransferAcceptAction = "transfer.accept";
    public const string TransferDeclineAction = "transfer.decline";
    public const string PresencePrefix = "presence.";
    public const string OfferBlock = "offer";
    public const string ManageBlock = "manage";

    /// <summary>The transfer form: private_metadata is the conversation id; inputs <see cref="TransferTo"/>, <see cref="TransferWarm"/>, <see cref="TransferNote"/>.</summary>
    public const string TransferForm = "conversation.transfer";
    public const string TransferTo = "to";
    public const string TransferWarm = "warm";
    public const string TransferNote = "note";

    /// <summary>The buttons the gateway answers besides an offer's Accept and Decline.</summary>
    public static readonly IReadOnlySet<string> Actions = new HashSet<string>(StringComparer.Ordinal)
    {
        CloseAction, TransferAction, NoteAction, FollowUpAction, FollowUpCancelAction, TransferAcceptAction, TransferDeclineAction,
        PresencePrefix + "available", PresencePrefix + "away", PresencePrefix + "offline",
    };

    /// <summary>The forms the gateway opens.</summary>
    public static readonly IReadOnlySet<string> Forms = new HashSet<string>(StringComparer.Ordinal) { TransferForm, NoteForm, FollowUpForm };

    /// <summary>The follow-up form: private_metadata is the conversation id; inputs <see cref="FollowUpText"/> and <see cref="FollowUpDays"/>.</summary>
    public const string FollowUpForm = "conversation.follow-up";
    public const string FollowUpText = "text";
    public const string FollowUpDays = "days";

    /// <summary>The note form: private_metadata is the conversation id; inputs <see cref="NoteText"/> and <see cref="NoteTags"/>.</summary>
    public const string NoteForm = "customer.note";
    public const string NoteText = "note";
    public const string NoteTags = "tags";
    public const string NoteName = "name";
    private const int SectionLimit = 2900;

    /// <summary>The message that opens a conversation's thread: text (for notifications) and blocks.</summary>
    public static (string Text, object[] Blocks) Opening(ToolEvent e)
    {
        var blocks = new List<object>
        {
            new { type = "header", text = new { type = "plain_text", text = Clip($"{e.CustomerLabel} · {e.ChannelLabel}", 150) } },
            Section($"*Why you:* {Escape(e.RoutingSummary ?? "")}" + (e.RequiresAccept && e.OfferExpiresAt is { } until
                ? $"\n*Offered to you until* <!date^{until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}^{{time}}|{until:u}>"
                : "")),
            new
            {
                type = "section",
                fields = new object[]
                {
                    Mrkdwn("*Reaches*\n" + Escape(Join(e.Addresses, "no address"))),
                    Mrkdwn("*Owners*\n" + Escape(Join(e.Owners, "none yet"))),
                    Mrkdwn("*Handled before by*\n" + Escape(Join(e.History, "nobody yet"))),
                    Mrkdwn("*Tags*\n" + Escape(Join(e.Tags, "none"))),
                },
            },
        };
        if (e.CustomerNotes.Count > 0)
        {
            blocks.Add(Section("*Notes on the customer*\n" + string.Join("\n", e.CustomerNotes.Take(3).Select(n => ":memo: " + Escape(Clip(n, 600))))));
        }
        if (e.Earlier.Count > 0)
        {
            blocks.Add(Section("*Earlier conversations*\n" + Transcript(e.Earlier.Take(5))));
        }
        blocks.Add(new { type = "divider" });
        blocks.Add(Section(Transcript(e.Messages.TakeLast(10))));
        blocks.Add(ManageButtons(e.ConversationId));
        if (e.RequiresAccept)
        {
            blocks.Add(AnswerButtons(AcceptAction, DeclineAction, e.ConversationId.ToString()));
        }
        blocks.Add(new
        {
            type = "context",
            elements = new object[] { Mrkdwn($"Reply in this thread to answer on {e.ChannelLabel} · conversation {e.ConversationId}") },
        });
        var text = $"{e.CustomerLabel} on {e.ChannelLabel}: {e.RoutingSummary}";
        return (Escape(text), blocks.ToArray());
    }

    /// <summary>Accept and Decline on an offer (a conversation's, or a transfer's); each block of a view needs an id of its own.</summary>
    private static object AnswerButtons(string accept, string decline, string value, string blockId = OfferBlock) => new
    {
        type = "actions",
        block_id = blockId,
        elements = new object[]
        {
            new { type = "button", action_id = accept, style = "primary", value, text = new { type = "plain_text", text = "Accept" } },
            new { type = "button", action_id = decline, style = "danger", value, text = new { type = "plain_text", text = "Decline" } },
        },
    };

    /// <summary>Transfer…, Note… and Close, on a conversation's opening message and its row in the Home tab.</summary>
    private static object ManageButtons(Guid conversationId, string blockId = ManageBlock)
    {
        var value = conversationId.ToString();
        return new
        {
            type = "actions",
            block_id = blockId,
            elements = new object[]
            {
                new { type = "button", action_id = TransferAction, value, text = new { type = "plain_text", text = "Transfer…" } },
                new { type = "button", action_id = NoteAction, value, text = new { type = "plain_text", text = "Note…" } },
                new { type = "button", action_id = FollowUpAction, value, text = new { type = "plain_text", text = "Follow up…" } },
                new
                {
                    type = "button", action_id = CloseAction, value, text = new { type = "plain_text", text = "Close" },
                    confirm = new
                    {
                        title = new { type = "plain_text", text = "Close the conversation?" },
                        text = new { type = "plain_text", text = "The customer's next message starts a new one." },
                        confirm = new { type = "plain_text", text = "Close" },
                        deny = new { type = "plain_text", text = "Keep it" },
                    },
                },
            },
        };
    }

    /// <summary>A warm transfer offered to the agent: a message of its own (the conversation is not theirs yet), with Accept and Decline.</summary>
    /// <summary>A customer waits for the agent (conversation.held): who, until when, and what they last wrote.</summary>
    public static string Held(ToolEvent e) =>
        ":hourglass_flowing_sand: " + Escape(e.HeldSentence) +
        (e.Messages.LastOrDefault(m => !m.FromAgent) is { } last ? $"\n> {Escape(Clip(last.Text, 300))}" : "");

    public static (string Text, object[] Blocks) TransferOffer(ToolEvent e)
    {
        var value = e.TransferId?.ToString() ?? "";
        var until = e.OfferExpiresAt is { } at ? $" until <!date^{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}^{{time}}|{at:u}>" : "";
        var blocks = new List<object>
        {
            new { type = "header", text = new { type = "plain_text", text = Clip($"Transfer: {e.CustomerLabel} · {e.ChannelLabel}", 150) } },
            Section($"*{Escape(e.TransferFrom ?? "Another agent")}* asks you to take this conversation{until}." +
                (e.Note is { Length: > 0 } note ? $"\n{Quote(Escape(note))}" : "")),
        };
        if (e.Messages.Count > 0)
        {
            blocks.Add(Section(Transcript(e.Messages.TakeLast(5))));
        }
        blocks.Add(AnswerButtons(TransferAcceptAction, TransferDeclineAction, value));
        return (Escape($"{e.TransferFrom ?? "Another agent"} asks you to take a conversation with {e.CustomerLabel}"), blocks.ToArray());
    }

    /// <summary>The note form (a modal): a note on the customer for whoever serves them next, and tags (comma-separated; -tag removes one).</summary>
    public static object NoteView(Guid conversationId) => new
    {
        type = "modal",
        callback_id = NoteForm,
        private_metadata = conversationId.ToString(),
        title = new { type = "plain_text", text = "Note on the customer" },
        submit = new { type = "plain_text", text = "Keep" },
        close = new { type = "plain_text", text = "Cancel" },
        blocks = new object[]
        {
            new
            {
                type = "input", block_id = NoteText, optional = true,
                label = new { type = "plain_text", text = "Note" },
                hint = new { type = "plain_text", text = "For whoever serves this customer next; the customer does not see it" },
                element = new { type = "plain_text_input", action_id = NoteText, multiline = true, max_length = 2000 },
            },
            new
            {
                type = "input", block_id = NoteTags, optional = true,
                label = new { type = "plain_text", text = "Tags" },
                hint = new { type = "plain_text", text = "vip, returns (-vip removes one)" },
                element = new { type = "plain_text_input", action_id = NoteTags, max_length = 500 },
            },
            new
            {
                type = "input", block_id = NoteName, optional = true,
                label = new { type = "plain_text", text = "Their name" },
                hint = new { type = "plain_text", text = "When the channel does not tell it (SMS): the customer is shown by it from now on" },
                element = new { type = "plain_text_input", action_id = NoteName, max_length = 200 },
            },
        },
    };

    /// <summary>The follow-up form (a modal): what the customer is asked, and in how many days (after the agent closes, as a rule).</summary>
    public static object FollowUpView(Guid conversationId) => new
    {
        type = "modal",
        callback_id = FollowUpForm,
        private_metadata = conversationId.ToString(),
        title = new { type = "plain_text", text = "Follow up" },
        submit = new { type = "plain_text", text = "Schedule" },
        close = new { type = "plain_text", text = "Cancel" },
        blocks = new object[]
        {
            new
            {
                type = "input", block_id = FollowUpText,
                label = new { type = "plain_text", text = "Ask the customer" },
                hint = new { type = "plain_text", text = "Sent on their channel as your message; their answer comes back to you" },
                element = new { type = "plain_text_input", action_id = FollowUpText, multiline = true, max_length = 4000,
                    initial_value = "Did everything arrive as it should?" },
            },
            new
            {
                type = "input", block_id = FollowUpDays,
                label = new { type = "plain_text", text = "In how many days" },
                element = new { type = "plain_text_input", action_id = FollowUpDays, initial_value = "3", max_length = 6 },
            },
        },
    };

    /// <summary>A scheduled follow-up in the conversation's thread: what it asks and when, with a button that cancels it.</summary>
    public static (string Text, object[] Blocks) FollowUpScheduled(ToolEvent e)
    {
        var text = ThreadLine(e) ?? "";
        return (text, [
            Section(text),
            new
            {
                type = "actions",
                elements = new object[]
                {
                    new
                    {
                        type = "button", action_id = FollowUpCancelAction, value = e.FollowUpId?.ToString() ?? "",
                        text = new { type = "plain_text", text = "Cancel the follow-up" },
                    },
                },
            },
        ]);
    }

    /// <summary>The transfer form (a modal), for the conversation it was opened from.</summary>
    public static object TransferView(Guid conversationId) => new
    {
        type = "modal",
        callback_id = TransferForm,
        private_metadata = conversationId.ToString(),
        title = new { type = "plain_text", text = "Transfer" },
        submit = new { type = "plain_text", text = "Transfer" },
        close = new { type = "plain_text", text = "Cancel" },
        blocks = new object[]
        {
            new
            {
                type = "input", block_id = TransferTo,
                label = new { type = "plain_text", text = "To" },
                hint = new { type = "plain_text", text = "An agent's id (ben), or a team as team:billing" },
                element = new { type = "plain_text_input", action_id = TransferTo, max_length = 110 },
            },
            new
            {
                type = "input", block_id = TransferWarm, optional = true,
                label = new { type = "plain_text", text = "How" },
                element = new
                {
                    type = "checkboxes", action_id = TransferWarm,
                    options = new object[]
                    {
                        new
                        {
                            value = "warm", text = new { type = "plain_text", text = "Warm: ask them first, I keep it until they accept" },
                        },
                    },
                },
            },
            new
            {
                type = "input", block_id = TransferNote, optional = true,
                label = new { type = "plain_text", text = "Note for the next agent" },
                element = new { type = "plain_text_input", action_id = TransferNote, multiline = true, max_length = 2000 },
            },
        },
    };

    /// <summary>
    /// The agent's Home tab: presence buttons, transfers offered to them, and their offered and open conversations with
    /// Close and Transfer…; <paramref name="notice"/> (what the last action did) on top.
    /// </summary>
    public static object Home(IReadOnlyList<ConversationView> conversations, IReadOnlyList<(Guid TransferId, string FromAgentId, string? Note)> offers,
        string? notice)
    {
        var blocks = new List<object> { new { type = "header", text = new { type = "plain_text", text = "Your conversations" } } };
        if (notice is { Length: > 0 })
        {
            blocks.Add(new { type = "context", elements = new object[] { Mrkdwn(Escape(notice)) } });
        }
        blocks.Add(new
        {
            type = "actions",
            block_id = "presence",
            elements = new[] { "available", "away", "offline" }.Select(p => (object)new
            {
                type = "button", action_id = PresencePrefix + p, value = p, text = new { type = "plain_text", text = char.ToUpperInvariant(p[0]) + p[1..] },
            }).ToArray(),
        });
        foreach (var offer in offers)
        {
            var value = offer.TransferId.ToString();
            blocks.Add(Section($":arrows_counterclockwise: *{Escape(offer.FromAgentId)}* asks you to take a conversation" +
                (offer.Note is { Length: > 0 } note ? $": {Escape(note)}" : "")));
            blocks.Add(AnswerButtons(TransferAcceptAction, TransferDeclineAction, value, $"{OfferBlock}-{value}"));
        }
        if (conversations.Count == 0)
        {
            blocks.Add(Section("Nothing open right now."));
        }
        foreach (var c in conversations.Take(40)) // Slack's limit is 100 blocks a view
        {
            blocks.Add(Section($"*{Escape(c.CustomerDisplayName ?? "A customer")}* · {ToolEvent.ChannelName(c.Channel)} · {c.Status}"));
            blocks.Add(ManageButtons(c.Id, $"{ManageBlock}-{c.Id}"));
        }
        return new { type = "home", blocks };
    }

    /// <summary>What a later event says in the conversation's thread (mrkdwn); null when it shows as a reaction or not at all.</summary>
    public static string? ThreadLine(ToolEvent e) => e.Type switch
    {
        EventTypes.MessageReceived => Transcript(e.Messages),
        EventTypes.ConversationReleased => $":leftwards_arrow_with_hook: This conversation is no longer yours: {Escape(e.Reason ?? "released by routing")}.",
        EventTypes.ConversationClosed => $":white_check_mark: Closed by {Escape(e.ClosedBy ?? "routing")}" + (e.Reason is { } reason ? $": {Escape(reason)}" : "."),
        EventTypes.Notice => ":no_entry_sign: " + Escape(e.NoticeText ?? ""),
        EventTypes.FollowUp => (e.FollowUpStatus switch { "scheduled" => ":alarm_clock: ", "sent" => ":outbox_tray: ", "cancelled" => ":x: ", _ => ":warning: " })
            + Escape(e.FollowUpSentence ?? "") + ":\n" + Quote(Escape(e.FollowUpText ?? "")),
        EventTypes.TransferEnded => ":arrows_counterclockwise: " + Escape(e.Reason ?? "The transfer ended."),
        EventTypes.ReplyStatus when e.ReplyStatus == "failed" =>
            $":warning: A reply on {e.ChannelLabel} was not delivered: {Escape(e.ErrorMessage ?? "no reason given")}" +
            (e.ErrorCode is { } code ? $" (`{Escape(code)}`)" : ""),
        EventTypes.ReplyStatus when e.ReplyStatus == "unknown" =>
            $":grey_question: A reply on {e.ChannelLabel} may or may not have gone out ({Escape(e.ErrorCode ?? "no answer")}): " +
            "the provider gave no clear answer. Its delivery report will say; please do not send it again yet.",
        _ => null,
    };

    /// <summary>The reaction a reply written in Slack gets for its status: sent, delivered, read, failed, unknown.</summary>
    public static string? Reaction(string? status) => status switch
    {
        "sent" => "outbox_tray",
        "delivered" => "white_check_mark",
        "read" => "eyes",
        "failed" => "warning",
        "unknown" => "grey_question",
        _ => null,
    };

    /// <summary>A thread's first message when the conversation's opening never reached this target (it was added later, or that delivery was exhausted).</summary>
    public static string Opener(ToolEvent e) => $"Conversation {e.ConversationId} (its start was not delivered here; see the agent API for its history)";

    /// <summary>The opening message's blocks after the agent pressed Accept or Decline: the buttons give way to what was done.</summary>
    public static object[] Answered(IEnumerable<System.Text.Json.JsonElement> blocks, string note) =>
        blocks.Where(b => !(b.TryGetProperty("block_id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String && id.GetString() == OfferBlock)).Cast<object>()
            .Append(new { type = "context", elements = new object[] { Mrkdwn(note) } }).ToArray();

    private static string Transcript(IEnumerable<ToolLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line.FromAgent ? ":speech_balloon: " : "").Append('*').Append(Escape(line.From)).Append("* · ")
                .Append(line.ChannelLabel).Append(" · <!date^").Append(line.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
                .Append("^{date_short_pretty} {time}|").Append(line.At.ToString("u", CultureInfo.InvariantCulture)).Append(">\n");
            if (line.Subject is { Length: > 0 } subject)
            {
                text.Append("_").Append(Escape(subject)).Append("_\n");
            }
            if (line.Public is { } what)
            {
                text.Append(":globe_with_meridians: *").Append(Escape(what[..1].ToUpperInvariant() + what[1..])).Append('*')
                    .Append(line.Permalink is { } link ? $" · <{link}|see it>" : "").Append('\n');
            }
            text.Append(Quote(Escape(line.Text))).Append('\n');
            if (line.Public is not null && !line.FromAgent)
            {
                text.Append("_").Append(Escape(char.ToUpperInvariant(ToolLine.PublicReplyHint[0]) + ToolLine.PublicReplyHint[1..])).Append("._\n");
            }
            foreach (var attachment in line.Attachments)
            {
                // a signed link (Slack's readers have no token of the gateway), written as Slack's <url|label>
                text.Append(":paperclip: ").Append(attachment.Link is { } link ? $"<{link}|{Escape(attachment.Label)}>" : Escape(attachment.Label)).Append('\n');
            }
        }
        return Clip(text.ToString().TrimEnd(), SectionLimit);
    }

    private static string Quote(string text) => string.Join('\n', text.Split('\n').Select(l => "> " + l));

    private static object Section(string mrkdwn) => new { type = "section", text = Mrkdwn(Clip(mrkdwn, SectionLimit)) };

    private static object Mrkdwn(string text) => new { type = "mrkdwn", text };

    private static string Join(IReadOnlyList<string> items, string none) => items.Count == 0 ? none : string.Join("\n", items);

    private static string Clip(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";

    /// <summary>Slack's three control characters, escaped (https://api.slack.com/reference/surfaces/formatting#escaping).</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>
    /// An agent's Slack message as plain text for the customer: links become their text and address, mentions and
    /// channel names their readable part, and Slack's escapes are undone.
    /// </summary>
    public static string ToPlainText(string mrkdwn)
    {
        var text = SlackReference().Replace(mrkdwn, m =>
        {
            var target = m.Groups["target"].Value;
            var label = m.Groups["label"].Success ? m.Groups["label"].Value : null;
            return target[0] switch
            {
                '@' or '#' => label is null ? target : (target[0] + label),
                '!' => label ?? "",
                _ => label is null || label == target || "mailto:" + label == target ? label ?? target : $"{label} ({target})",
            };
        });
        return text.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&").Trim();
    }

    [GeneratedRegex(@"<(?<target>[^<>|]+)(\|(?<label>[^<>]*))?>")]
    private static partial Regex SlackReference();
}
