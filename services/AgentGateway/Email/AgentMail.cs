using MimeKit;

namespace Routing.AgentGateway.Email;

/// <summary>
/// Mails to agents: a conversation opens with a mail; every later event answers it (In-Reply-To and References its
/// Message-ID, "Re:" its subject) so mail clients keep one thread per conversation. Replying goes to the conversation's
/// signed reply address. Mails are marked Auto-Submitted so that agents' auto-responders leave them alone.
/// </summary>
internal static class AgentMail
{
    /// <summary>The Message-ID (without brackets) of the mail that opens a conversation for a target.</summary>
    public static string RootId(Guid conversationId, Guid targetId, string domain) => $"conversation.{conversationId:N}.{targetId:N}@{domain}";

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
}
