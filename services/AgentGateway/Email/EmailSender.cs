using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Rendering;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Email;

/// <summary>
/// Deliveries to an agent's mailbox over SMTP, one mail per event worth a mail, threaded per conversation. A mail's
/// Message-ID comes from its delivery, so a retried send is recognisably the same mail. The server refusing the
/// agent's mailbox (5xx at RCPT) disables the target; anything else is tried again.
/// </summary>
internal sealed class EmailSender(IOptions<AgentEmailOptions> options, ReplyAddress replyAddresses, ThreadStore store, TimeProvider time,
    AttachmentLinks links, IOptions<AttachmentOptions> attachments) : IDeliverySender
{
    public string Kind => TargetKinds.Email;

    public async Task<DeliveryOutcome> SendAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        var config = options.Value;
        if (string.IsNullOrEmpty(config.Smtp.Host) || !MailboxAddress.TryParse(config.From, out var from) || !config.ReplyAddress.Contains('@'))
        {
            return new DeliveryOutcome.Retry(null, "email to agents is not configured here (Gateway:Email:Smtp:Host, From and ReplyAddress)");
        }
        var e = ToolEvent.Parse(delivery.Body).WithLinks(id => links.Signed(id, attachments.Value.ToolLinkLifetime));
        if (AgentMailText.Body(e) is not { } body)
        {
            return new DeliveryOutcome.Delivered(null); // nothing to mail for it
        }
        var domain = from.Domain;
        var thread = await store.ThreadAsync(delivery.TargetId, e.ConversationId, ct);
        string messageId, subject;
        string? inReplyTo;
        if (thread is null && e.Type == EventTypes.ConversationAssigned)
        {
            (messageId, inReplyTo, subject) = (AgentMail.RootId(e.ConversationId, delivery.TargetId, domain), null, AgentMailText.Subject(e));
        }
        else
        {
            var root = thread?.ThreadId ?? AgentMail.RootId(e.ConversationId, delivery.TargetId, domain);
            var opening = thread?.Subject ?? $"Conversation {e.ConversationId}";
            (messageId, inReplyTo, subject) = ($"{delivery.Id:N}@{domain}", root, opening.StartsWith("Re: ", StringComparison.Ordinal) ? opening : "Re: " + opening);
        }
        var mail = AgentMail.Compose(from, delivery.Address!, replyAddresses.For(config.ReplyAddress, e.ConversationId, delivery.AgentId), messageId,
            inReplyTo, subject, body, e.ConversationId, time.GetUtcNow());
        try
        {
            await AgentMail.SendAsync(config.Smtp, mail, config.CallTimeout, ct);
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 500)
        {
            return new DeliveryOutcome.Disable((int)ex.StatusCode, $"the mail server refused the agent's mailbox: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
                                       or MailKit.Security.AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            return new DeliveryOutcome.Retry(ex is SmtpCommandException command ? (int)command.StatusCode : null, "SMTP: " + ex.Message);
        }
        if (thread is null && e.Type == EventTypes.ConversationAssigned)
        {
            await store.AddThreadAsync(delivery.TargetId, e.ConversationId, delivery.Address!, messageId, ct, subject);
        }
        return new DeliveryOutcome.Delivered(250);
    }
}
