using Routing.MailText;
using Routing.AgentGateway.Events;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Options;
using MimeKit;
using Routing.MailAuthentication;
using Npgsql;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;

namespace Routing.AgentGateway.Email;

/// <summary>What became of an agent's mail: sent on, refused (with the reason, told to the agent), or not handled yet (the broker did not confirm).</summary>
internal enum ReplyMailOutcome
{
    Done,
    Refused,
    Later,
}

/// <summary>
/// Reads agents' replies from the reply mailbox over IMAP. A mail counts only when it is addressed to a conversation's
/// reply address whose token holds for the conversation's current agent, and comes from one of that agent's email
/// targets; its new text (above the quoted history) goes to the customer as the agent's reply, its Message-ID being
/// the idempotency key, so a mail read twice is one reply. "accept" or "decline" alone answers an offer; a reply to an
/// offer accepts it first. A handled mail is flagged $Routed (or $NotRouted with the reason logged, and the agent told
/// when the sender is theirs); a mail the broker did not confirm stays unflagged and is read again. One replica at a time
/// reads the mailbox: the one holding its <see cref="MailboxLease"/>; the others try again every LeaseRetry.
/// </summary>
internal sealed class EmailReplyWatcher(IOptions<AgentEmailOptions> options, ReplyAddress replyAddresses, ConversationStore conversations,
    TransferOfferStore transferOffers, TargetStore targets, DeliveryStore deliveries, EventSignal signal, IServiceScopeFactory scopes, NpgsqlDataSource db, TimeProvider time, ILogger<EmailReplyWatcher> logger)
    : BackgroundService
{
    private static readonly Guid NoticeNamespace = new("a4c17e02-6b3f-4d9a-8e51-0f2b7c94d6e3");
    private static readonly Guid MailFileNamespace = new("3f8a51c7-2d9e-4b06-9c1a-7e4d2b8f5a93");
    public const string RoutedKeyword = "$Routed";
    public const string NotRoutedKeyword = "$NotRouted";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = options.Value;
        if (string.IsNullOrEmpty(config.Imap.Host) || !config.ReplyAddress.Contains('@'))
        {
            logger.LogInformation("Gateway:Email:Imap:Host or ReplyAddress is not set: agents' email replies are not read");
            return;
        }
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await MailboxLease.TryAcquireAsync(db, config.ReplyAddress, stoppingToken);
                if (lease is null)
                {
                    // another replica reads it
                    await Task.Delay(config.LeaseRetry, time, stoppingToken);
                    continue;
                }
                using var client = new ImapClient();
                await client.ConnectAsync(config.Imap.Host, config.Imap.Port, config.Imap.Security, stoppingToken);
                await client.AuthenticateAsync(config.Imap.Username ?? config.ReplyAddress, config.Imap.Password ?? "", stoppingToken);
                var folder = await client.GetFolderAsync(config.Folder, stoppingToken);
                await folder.OpenAsync(FolderAccess.ReadWrite, stoppingToken);
                backoff = TimeSpan.FromSeconds(1);
                logger.LogInformation("This replica reads agents' replies from {Mailbox}", config.ReplyAddress);
                while (!stoppingToken.IsCancellationRequested && await lease.HeldAsync(stoppingToken))
                {
                    await DrainAsync(folder, config, stoppingToken);
                    await Task.Delay(config.PollInterval, time, stoppingToken);
                    await client.NoOpAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Reading agents' replies from {Host}:{Port} failed; again in {Backoff}", config.Imap.Host, config.Imap.Port, backoff);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(2).Ticks));
            }
        }
    }

    private async Task DrainAsync(IMailFolder folder, AgentEmailOptions config, CancellationToken ct)
    {
        var keywords = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined);
        var uids = await folder.SearchAsync(keywords ? SearchQuery.NotKeyword(RoutedKeyword).And(SearchQuery.NotKeyword(NotRoutedKeyword)) : SearchQuery.NotSeen, ct);
        foreach (var uid in uids.OrderBy(u => u.Id).Take(100))
        {
            var mail = await folder.GetMessageAsync(uid, ct);
            var (outcome, reason) = await HandleAsync(mail, config, ct);
            if (outcome == ReplyMailOutcome.Later)
            {
                return; // the broker did not confirm: this and the rest are read again next round
            }
            if (outcome == ReplyMailOutcome.Refused)
            {
                logger.LogInformation("Agent mail {MessageId} not sent to a customer: {Reason}", mail.MessageId, reason);
            }
            await folder.AddFlagsAsync(uid, MessageFlags.Seen, keywords ? [outcome == ReplyMailOutcome.Done ? RoutedKeyword : NotRoutedKeyword] : [],
                silent: true, ct);
        }
    }

    internal async Task<(ReplyMailOutcome Outcome, string? Reason)> HandleAsync(MimeMessage mail, AgentEmailOptions config, CancellationToken ct)
    {
        if (mail.Headers[HeaderId.AutoSubmitted] is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return (ReplyMailOutcome.Refused, $"automatic mail (Auto-Submitted: {auto})");
        }
        var addressed = mail.To.Mailboxes.Concat(mail.Cc.Mailboxes).Select(m => m.Address)
            .Concat(mail.Headers.Where(h => h.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase)
                                             || h.Field.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase))
                .Select(h => h.Value.Trim().Trim('<', '>')))
            .Select(a => ReplyAddress.Read(a, config.ReplyAddress)).FirstOrDefault(t => t is not null);
        if (addressed is not { } token)
        {
            return (ReplyMailOutcome.Refused, "not addressed to a conversation's reply address");
        }
        var conversation = await conversations.GetAsync(token.ConversationId, ct);
        string agentId;
        TransferOffer? offered = null;
        if (conversation?.AgentId is { } current && replyAddresses.Holds(token.ConversationId, token.Mac, current))
        {
            agentId = current;
        }
        else if (conversation is not null && (await transferOffers.OfferedForConversationAsync(conversation.Id, ct))
                     .FirstOrDefault(o => replyAddresses.Holds(token.ConversationId, token.Mac, o.ToAgentId)) is { } offer)
        {
            // the mail of a warm transfer offered to this agent: the conversation is not theirs yet, only the offer is
            (agentId, offered) = (offer.ToAgentId, offer);
        }
        else
        {
            return (ReplyMailOutcome.Refused, "the reply address's token does not hold (forged, or the conversation is no longer that agent's)");
        }
        var sender = mail.From.Mailboxes.FirstOrDefault()?.Address;
        var target = (await targets.TargetsAsync(agentId, ct))
            .FirstOrDefault(t => t is { Kind: TargetKinds.Email, Enabled: true } && string.Equals(t.Address, sender, StringComparison.OrdinalIgnoreCase));
        if (sender is null || target is null)
        {
            return (ReplyMailOutcome.Refused, $"its sender is not a mailbox of {agentId}");
        }
        if (config.RequireVerifiedSender)
        {
            var results = mail.Headers.Where(h => h.Field.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
            var verdict = SenderAuthentication.Evaluate(sender, mail.From.Mailboxes.Count(), AuthenticationHeaders.Trusted(results, config.TrustedAuthenticationServers));
            if (!verdict.Verified)
            {
                return (ReplyMailOutcome.Refused, $"its sender is not verified ({verdict.Summary}): no trusted server found SPF, DKIM or DMARC passing for the From's domain");
            }
        }
        var text = ReplyText.Strip((mail.TextBody ?? (mail.HtmlBody is { } html ? HtmlText.ToText(html) : "")).ReplaceLineEndings("\n").Trim());
        await using var scope = scopes.CreateAsyncScope();
        var actions = scope.ServiceProvider.GetRequiredService<AgentActions>();
        var command = MailCommand.Parse(text);
        if (offered is not null)
        {
            var answer = command switch
            {
                MailCommand.AcceptCommand => await actions.AnswerTransferAsync(offered.TransferId, agentId, accepted: true, null, ct),
                MailCommand.DeclineCommand d => await actions.AnswerTransferAsync(offered.TransferId, agentId, accepted: false, d.Reason ?? "declined by email", ct),
                _ => ActionResult.Conflict($"{offered.FromAgentId} still has this conversation: answer \"accept\" or \"decline\" to the transfer first."),
            };
            return answer.Status == ActionStatus.Done ? (ReplyMailOutcome.Done, null) : await RefusedAsync(answer, mail, target.Id, conversation.Id, ct, "Not done");
        }
        ActionResult result;
        if (command is not null)
        {
            result = command switch
            {
                MailCommand.AcceptCommand => await actions.AcceptAsync(conversation.Id, agentId, ct),
                MailCommand.DeclineCommand d => await actions.DeclineAsync(conversation.Id, agentId, d.Reason ?? "declined by email", ct),
                MailCommand.CloseCommand c => await actions.CloseAsync(conversation.Id, agentId, c.Reason ?? "closed by email", ct),
                MailCommand.TransferCommand t => (await actions.TransferAsync(conversation.Id, agentId, t.ToAgentId, t.ToTeam, t.Warm, t.Note, ct)).Result,
                MailCommand.PresenceCommand p => await actions.CommandAsync(new AgentPresenceChanged { AgentId = agentId, Status = p.Status, ChangedAt = time.GetUtcNow() }, ct),
                // the same mail read again is the same note
                MailCommand.NoteCommand n => (await actions.AnnotateAsync(conversation.Id, agentId, n.Note, n.AddTags, n.RemoveTags, ct,
                    MailAnnotationId(mail), n.Name)).Result,
                // the same mail read again is the same follow-up
                MailCommand.FollowUpCommand f => (await actions.ScheduleFollowUpAsync(conversation.Id, agentId, f.Text, time.GetUtcNow() + f.After,
                    AgentActions.FollowUpIdFor(agentId, "email:" + MailAnnotationId(mail)), ct)).Result,
                _ => ActionResult.Conflict("Unknown command."),
            };
            return result.Status == ActionStatus.Done ? (ReplyMailOutcome.Done, null) : await RefusedAsync(result, mail, target.Id, conversation.Id, ct, "Not done");
        }
        else
        {
            if (conversation.Status == "offered")
            {
                // Answering an offer by mail takes it.
                result = await actions.AcceptAsync(conversation.Id, agentId, ct);
                if (result.Status != ActionStatus.Done)
                {
                    return await RefusedAsync(result, mail, target.Id, conversation.Id, ct);
                }
            }
            var mailKey = mail.MessageId ?? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(mail.ToString())));
            var (fileIds, fileRefusal) = await KeepFilesAsync(mail, mailKey, agentId, scope.ServiceProvider.GetRequiredService<AttachmentUploads>(), ct);
            if (fileRefusal is not null)
            {
                return await RefusedAsync(new ActionResult(ActionStatus.Invalid, fileRefusal, "attachments"), mail, target.Id, conversation.Id, ct);
            }
            result = await actions.ReplyAsync(conversation.Id, agentId, text, null, "email:" + mailKey, ct, fileIds);
        }
        return result.Status == ActionStatus.Done ? (ReplyMailOutcome.Done, null) : await RefusedAsync(result, mail, target.Id, conversation.Id, ct);
    }

    /// <summary>The id of the note a mail writes: the same mail (its Message-ID, or its bytes) is the same note.</summary>
    private static Guid MailAnnotationId(MimeMessage mail) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("mail-note:" + (mail.MessageId ?? mail.ToString())))[..16]);

    /// <summary>
    /// The files the agent attached (not the inline images of a signature), kept as the agent's uploads under ids of the mail
    /// and the part's place in it: the same mail read again names the same files, so its reply is the same reply.
    /// </summary>
    private static async Task<(IReadOnlyList<Guid> Ids, string? Refusal)> KeepFilesAsync(MimeMessage mail, string mailKey, string agentId, AttachmentUploads uploads,
        CancellationToken ct)
    {
        var ids = new List<Guid>();
        var position = 0;
        foreach (var part in mail.Attachments.OfType<MimePart>())
        {
            var name = part.FileName ?? "an attachment";
            using var content = new MemoryStream();
            if (part.Content is not null)
            {
                await part.Content.DecodeToAsync(content, ct);
            }
            content.Position = 0;
            try
            {
                var kept = await uploads.UploadAsync(agentId, content, part.ContentType.MimeType, part.FileName, ct,
                    MessageIds.NameBased(MailFileNamespace, $"{mailKey}:{position++}"));
                ids.Add(kept.Id);
            }
            catch (UploadRefusedException refused)
            {
                return ([], $"{name}: {refused.Message}");
            }
        }
        return (ids, null);
    }

    /// <summary>
    /// The agent is told why their mail went nowhere, in the conversation's mail thread (a delivery like any other:
    /// retried, once per mail); a broker that did not confirm leaves the mail for later.
    /// </summary>
    private async Task<(ReplyMailOutcome, string?)> RefusedAsync(ActionResult result, MimeMessage mail, Guid targetId, Guid conversationId, CancellationToken ct,
        string what = "Not sent to the customer")
    {
        if (result.Status is ActionStatus.Unavailable or ActionStatus.InProgress)
        {
            return (ReplyMailOutcome.Later, result.Detail);
        }
        await deliveries.EnqueueNoticeAsync(targetId, MessageIds.NameBased(NoticeNamespace, mail.MessageId ?? mail.Subject ?? ""), conversationId,
            $"{what}: {result.Detail}", time.GetUtcNow(), ct);
        signal.DeliveriesQueued();
        return (ReplyMailOutcome.Refused, result.Detail);
    }
}
