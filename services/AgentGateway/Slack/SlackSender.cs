using Microsoft.Extensions.Options;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Rendering;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Slack;

/// <summary>
/// Deliveries to a Slack target: a conversation's assignment opens a thread in the target's channel (the agent's
/// user id posts to the app's direct messages with them); its later events are written into that thread; statuses of
/// replies the agent wrote in Slack show as reactions on their message. Deliveries of one conversation come in order
/// (ThreadStore), so the thread exists before anything is written into it.
/// </summary>
internal sealed class SlackSender(SlackApi slack, ThreadStore store, AttachmentLinks links, IOptions<AttachmentOptions> attachments) : IDeliverySender
{
    public string Kind => TargetKinds.Slack;

    public async Task<DeliveryOutcome> SendAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        var e = ToolEvent.Parse(delivery.Body).WithLinks(id => links.Signed(id, attachments.Value.ToolLinkLifetime));
        var thread = await store.ThreadAsync(delivery.TargetId, e.ConversationId, ct);
        if (e.Type == EventTypes.ConversationAssigned)
        {
            var (text, blocks) = SlackMessages.Opening(e);
            // Offered again after a release: the new offer goes into the same thread, and shows in the channel too.
            var opened = thread is null
                ? await slack.CallAsync("chat.postMessage", new { channel = delivery.Address, text, blocks, unfurl_links = false, unfurl_media = false }, ct)
                : await slack.CallAsync("chat.postMessage",
                    new { channel = thread.Channel, thread_ts = thread.ThreadId, reply_broadcast = true, text, blocks, unfurl_links = false }, ct);
            if (opened is { Ok: true, Channel: { } channel, Ts: { } ts } && thread is null)
            {
                await store.AddThreadAsync(delivery.TargetId, e.ConversationId, channel, ts, ct);
            }
            return opened.Outcome();
        }

        if (e.Type == EventTypes.TransferOffered)
        {
            // the conversation is not the agent's (yet): a message of its own with Accept and Decline, not a thread
            var (text, blocks) = SlackMessages.TransferOffer(e);
            return (await slack.CallAsync("chat.postMessage", new { channel = delivery.Address, text, blocks, unfurl_links = false, unfurl_media = false }, ct))
                .Outcome();
        }
        if (e.Type == EventTypes.ConversationHeld)
        {
            // not the agent's conversation (yet): a message of its own, not a thread
            return (await slack.CallAsync("chat.postMessage", new { channel = delivery.Address, text = SlackMessages.Held(e), unfurl_links = false, unfurl_media = false },
                ct)).Outcome();
        }
        if (e.Type == EventTypes.TransferEnded && thread is null && SlackMessages.ThreadLine(e) is { } ended)
        {
            return (await slack.CallAsync("chat.postMessage", new { channel = delivery.Address, text = ended }, ct)).Outcome();
        }

        if (e.Type == EventTypes.ReplyStatus && SlackMessages.Reaction(e.ReplyStatus) is { } reaction
            && await store.ToolReplyAsync(e.ReplyId!.Value, delivery.TargetId, ct) is { } written)
        {
            var reacted = await slack.CallAsync("reactions.add", new { channel = written.Channel, timestamp = written.ThreadId, name = reaction }, ct);
            if (!reacted.Ok && reacted.Error != "already_reacted")
            {
                return reacted.Outcome();
            }
            if (e.ReplyStatus is not ("failed" or "unknown"))
            {
                return new DeliveryOutcome.Delivered(reacted.Status); // a failure or an unknown outcome is also told in words, below
            }
        }

        if (SlackMessages.ThreadLine(e) is not { } line)
        {
            return new DeliveryOutcome.Delivered(null); // nothing to show for it in Slack
        }
        if (thread is null)
        {
            var opener = await slack.CallAsync("chat.postMessage", new { channel = delivery.Address, text = SlackMessages.Opener(e) }, ct);
            if (opener is not { Ok: true, Channel: { } channel, Ts: { } ts })
            {
                return opener.Outcome();
            }
            await store.AddThreadAsync(delivery.TargetId, e.ConversationId, channel, ts, ct);
            thread = new ThreadRef(channel, ts, null);
        }
        if (e.Type == EventTypes.FollowUp && e.FollowUpStatus == "scheduled")
        {
            // with its Cancel button
            var (text, blocks) = SlackMessages.FollowUpScheduled(e);
            return (await slack.CallAsync("chat.postMessage",
                new { channel = thread.Channel, thread_ts = thread.ThreadId, text, blocks, unfurl_links = false, unfurl_media = false }, ct)).Outcome();
        }
        return (await slack.CallAsync("chat.postMessage",
            new { channel = thread.Channel, thread_ts = thread.ThreadId, text = line, unfurl_links = false, unfurl_media = false }, ct)).Outcome();
    }
}
