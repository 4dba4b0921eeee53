using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;

namespace Routing.AgentGateway.Events;

/// <summary>The events an agent's tools receive; every one is {"type", "timestamp", "data"}.</summary>
internal static class EventTypes
{
    public const string ConversationAssigned = "conversation.assigned";
    public const string MessageReceived = "message.received";
    public const string ConversationReleased = "conversation.released";
    public const string ConversationClosed = "conversation.closed";
    public const string ReplyStatus = "reply.status";

    /// <summary>
    /// Said to the agent in one tool only, where they acted (a Slack thread, a mail thread): why what they wrote there
    /// went nowhere. Not in the event stream or the webhooks, whose callers get their answer in the HTTP response.
    /// </summary>
    public const string Notice = "gateway.notice";
}

/// <summary>
/// Writes an event for an agent inside the caller's transaction: kept for the event stream (GET /me/events, resumable
/// with Last-Event-ID), queued for each of the agent's webhook targets, and announced to every replica with
/// pg_notify once committed. The event id is derived from what caused it, so a redelivered bus message writes nothing new.
/// </summary>
internal static class AgentEvents
{
    public const string NotifyChannel = "gateway_agent_events";
    private static readonly Guid EventNamespace = new("8d0f3c1e-5a7b-4f2e-9c61-2b7e4d9a0c53");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The id of the event <paramref name="type"/> for <paramref name="agentId"/> caused by <paramref name="cause"/> (about <paramref name="subject"/>).</summary>
    public static Guid IdFor(Guid cause, string agentId, string type, Guid? subject = null) =>
        MessageIds.NameBased(EventNamespace, $"{cause:N}:{agentId}:{type}:{subject:N}");

    public static byte[] Serialize(string type, DateTimeOffset timestamp, object data) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type, timestamp, data }, Json);

    /// <summary>
    /// The agents that got events in the transaction under way (set by ConversationStore.InTransactionAsync), announced
    /// after it commits: a NOTIFY inside the transaction would hold PostgreSQL's notification lock through the commit's
    /// WAL flush and make every event-writing transaction commit one at a time.
    /// </summary>
    public static readonly AsyncLocal<HashSet<string>?> Written = new();

    /// <summary>
    /// Stores and queues the event; false when it was already written (a redelivery). An agent's events are numbered
    /// in the order their transactions commit: the insert first takes a lock on the agent that is held until the
    /// transaction ends, so a second transaction writing for the same agent numbers its event only after the first
    /// committed. Without it, an event numbered lower but committed later was never sent by a stream that had moved past
    /// the higher number (AgentEventOrderTests).
    /// </summary>
    public static async Task<bool> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string agentId, Guid conversationId, string type,
        object data, DateTimeOffset now, CancellationToken ct)
    {
        var body = Serialize(type, now, data);
        var seq = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            insert into gateway_agent_events (id, agent_id, type, body, created_at)
            select @id, @agentId, @type, @body, @now from (select pg_advisory_xact_lock(hashtext('gateway_agent_events'), hashtext(@agentId))) as in_commit_order
            on conflict (id) do nothing returning seq
            """, new { id, agentId, type, body, now = now.UtcDateTime }, tx, cancellationToken: ct));
        if (seq is null)
        {
            return false;
        }
        await DeliveryStore.EnqueueAsync(connection, tx, agentId, id, type, body, conversationId, now, ct);
        Written.Value?.Add(agentId);
        return true;
    }
}
