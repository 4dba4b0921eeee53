using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Delivery;

/// <summary>A place in a tool: a Slack channel and message ts, or a mailbox and Message-ID.</summary>
internal sealed record ThreadRef(string Channel, string ThreadId, string? Subject);

/// <summary>Whose thread it is: the target it was opened for, and the conversation.</summary>
internal sealed record ThreadOwner(Guid TargetId, Guid ConversationId);

/// <summary>
/// Where conversations live in agents' tools: the thread each conversation opened in a target (a Slack message, a
/// mail's Message-ID), and where each reply written in a tool sits, so statuses are shown on it.
/// </summary>
internal sealed class ThreadStore(NpgsqlDataSource db)
{
    /// <summary>The thread a conversation opened in a target (Slack: channel and ts; email: mailbox and Message-ID), if any yet.</summary>
    public async Task<ThreadRef?> ThreadAsync(Guid targetId, Guid conversationId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadRef>(new CommandDefinition(
            "select channel, thread_id as ThreadId, subject from gateway_threads where target_id = @targetId and conversation_id = @conversationId",
            new { targetId, conversationId }, cancellationToken: ct));
    }

    public async Task AddThreadAsync(Guid targetId, Guid conversationId, string channel, string threadId, CancellationToken ct, string? subject = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_threads (target_id, conversation_id, channel, thread_id, subject) values (@targetId, @conversationId, @channel, @threadId, @subject)
            on conflict do nothing
            """, new { targetId, conversationId, channel, threadId, subject }, cancellationToken: ct));
    }

    /// <summary>The conversation and target a thread belongs to (a Slack thread reply, an email reply's thread).</summary>
    public async Task<ThreadOwner?> ThreadOwnerAsync(string channel, string threadId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadOwner>(new CommandDefinition(
            "select target_id as TargetId, conversation_id as ConversationId from gateway_threads where channel = @channel and thread_id = @threadId",
            new { channel, threadId }, cancellationToken: ct));
    }

    /// <summary>Where an agent's reply was written in a tool, so its statuses are shown on it.</summary>
    public async Task AddToolReplyAsync(Guid replyId, Guid targetId, string channel, string messageRef, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into gateway_tool_replies (reply_id, target_id, channel, message_ref) values (@replyId, @targetId, @channel, @messageRef) on conflict do nothing",
            new { replyId, targetId, channel, messageRef }, cancellationToken: ct));
    }

    public async Task<ThreadRef?> ToolReplyAsync(Guid replyId, Guid targetId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadRef>(new CommandDefinition(
            "select channel, message_ref as ThreadId, null::text as subject from gateway_tool_replies where reply_id = @replyId and target_id = @targetId",
            new { replyId, targetId }, cancellationToken: ct));
    }
}
