using System.Globalization;
using System.Text;
using MimeKit;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Email;

/// <summary>
/// Agents' events as mails: a conversation opens with a mail carrying the customer's context and why it came to this
/// agent; every later event answers it (In-Reply-To and References its Message-ID, "Re:" its subject) so mail clients
/// keep one thread per conversation. Replying goes to the conversation's signed reply address. Mails are marked
/// Auto-Submitted so that agents' auto-responders leave them alone.
/// </summary>
internal static class AgentMail
{
    /// <summary>The Message-ID (without brackets) of the mail that opens a conversation for a target.</summary>
    public static string RootId(Guid conversationId, Guid targetId, string domain) => $"conversation.{conversationId:N}.{targetId:N}@{domain}";

    /// <summary>The subject a conversation's thread has: "[SMS] Maria Rossi: Hello, my order is late".</summary>
    public static string Subject(ToolEvent e)
    {
        var first = e.Messages.FirstOrDefault();
        var gist = first?.Subject ?? first?.Text.Split('\n')[0] ?? "";
        return Clip($"[{ToolEvent.ChannelName(e.Channel)}] {e.CustomerLabel}" + (gist.Length > 0 ? ": " + gist : ""), 120);
    }

    /// <summary>The body of the mail an event sends, or null when it sends none (sent, delivered and read statuses).</summary>
    public static string? Body(ToolEvent e) => e.Type switch
    {
        EventTypes.ConversationAssigned => Opening(e),
        EventTypes.MessageReceived => Transcript(e.Messages) + Footer(),
        EventTypes.ConversationReleased => $"This conversation is no longer yours: {e.Reason ?? "released by routing"}.\n",
        EventTypes.ConversationClosed => $"Closed by {e.ClosedBy ?? "routing"}" + (e.Reason is { } reason ? $": {reason}\n" : ".\n"),
        EventTypes.Notice => (e.NoticeText ?? "") + "\n",
        EventTypes.ReplyStatus when e.ReplyStatus == "failed" =>
            $"A reply on {ToolEvent.ChannelName(e.Channel)} was not delivered: {e.ErrorMessage ?? "no reason given"}" +
            (e.ErrorCode is { } code ? $" ({code})" : "") + ".\n",
        EventTypes.ReplyStatus when e.ReplyStatus == "unknown" =>
            $"A reply on {ToolEvent.ChannelName(e.Channel)} may or may not have gone out ({e.ErrorCode ?? "no answer"}): the provider gave no clear answer. " +
            "Its delivery report will say; please do not send it again yet.\n",
        _ => null,
    };

    public static MimeMessage Compose(MailboxAddress from, string to, string replyTo, string messageId, string? inReplyTo, string subject, string body,
        Guid conversationId, DateTimeOffset date)
    {
        var mail = new MimeMessage { Subject = subject, MessageId = messageId, Date = date, Body = new TextPart("plain") { Text = body } };
        mail.From.Add(from);
        mail.To.Add(MailboxAddress.Parse(to));
        mail.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        if (inReplyTo is not null)
        {
            mail.InReplyTo = inReplyTo;
            mail.References.Add(inReplyTo);
        }
        mail.Headers.Add("Auto-Submitted", "auto-generated");
        mail.Headers.Add("X-Routing-Conversation", conversationId.ToString());
        return mail;
    }

    /// <summary>Hands a mail to the SMTP server (authenticating when a user is set), within <paramref name="timeout"/>.</summary>
    public static async Task SendAsync(MailServerOptions smtp, MimeMessage mail, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        using var client = new MailKit.Net.Smtp.SmtpClient();
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Gateway:Email:Smtp:Host is not set."), smtp.Port, smtp.Security, limit.Token);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", limit.Token);
        }
        await client.SendAsync(mail, limit.Token);
        await client.DisconnectAsync(true, limit.Token);
    }

    private static string Opening(ToolEvent e)
    {
        var text = new StringBuilder();
        text.Append(e.CustomerLabel).Append(" on ").Append(ToolEvent.ChannelName(e.Channel)).Append(". Why you: ").Append(e.RoutingSummary).Append('\n');
        if (e.RequiresAccept)
        {
            text.Append("This conversation is offered to you").Append(e.OfferExpiresAt is { } until ? $" until {until:u}" : "")
                .Append(". Answer \"accept\" or \"decline\", or reply to the customer, which accepts it.\n");
        }
        text.Append('\n').Append(Transcript(e.Messages.TakeLast(10)));
        text.Append("\n----\nReaches: ").Append(e.Addresses.Count == 0 ? "no address" : string.Join("; ", e.Addresses)).Append('\n');
        text.Append("Owners: ").Append(e.Owners.Count == 0 ? "none yet" : string.Join(", ", e.Owners)).Append('\n');
        text.Append("Handled before by: ").Append(e.History.Count == 0 ? "nobody yet" : string.Join("; ", e.History)).Append('\n');
        if (e.Earlier.Count > 0)
        {
            text.Append("\nEarlier conversations:\n\n").Append(Transcript(e.Earlier.Take(5)));
        }
        return text.Append(Footer()).ToString();
    }

    private static string Footer() =>
        "\n----\nReply to this mail to answer the customer; only what you write above the quoted text is sent.\n";

    private static string Transcript(IEnumerable<ToolLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line.From).Append(" (").Append(ToolEvent.ChannelName(line.Channel)).Append(", ")
                .Append(line.At.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append("):\n");
            if (line.Subject is { Length: > 0 } subject)
            {
                text.Append("Subject: ").Append(subject).Append('\n');
            }
            text.Append(line.Text).Append('\n');
            foreach (var attachment in line.Attachments)
            {
                text.Append("[attachment] ").Append(attachment).Append('\n');
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Clip(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
