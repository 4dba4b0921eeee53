using Routing.ServiceDefaults;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using Routing.Contracts;

namespace Routing.AgentGateway.Events;

/// <summary>
/// The agents' events, serialized once: kept for the event stream (GET /me/events, resumable with Last-Event-ID) and
/// queued, as the same bytes, for each of the agent's targets. The event id is derived from what caused it, so a
/// redelivered bus message writes nothing new.
/// </summary>
internal static class AgentEventLog
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

    public static byte[] Serialize<TData>(string type, DateTimeOffset timestamp, TData data) where TData : IAgentEventData =>
        JsonSerializer.SerializeToUtf8Bytes(new AgentEvent<TData>(type, timestamp, data), Json);

    /// <summary>Reads stored event bytes back into their record; null for a type this gateway does not know.</summary>
    public static (string Type, DateTimeOffset Timestamp, IAgentEventData Data)? Read(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString() ?? "";
        if (!EventTypes.DataTypes.TryGetValue(type, out var dataType))
        {
            return null;
        }
        var data = (IAgentEventData?)root.GetProperty("data").Deserialize(dataType, Json) ?? throw new JsonException("data is null");
        return (type, root.GetProperty("timestamp").GetDateTimeOffset(), data);
    }

    /// <summary>
    /// Stores the event and queues it for each of the agent's enabled targets; false when it was already written (a
    /// redelivery). An agent's events are numbered in the order their transactions commit: the insert first takes a
    /// lock on the agent that is held until the transaction ends, so a second transaction writing for the same agent
    /// numbers its event only after the first committed. Without it, an event numbered lower but committed later was
    /// never sent by a stream that had moved past the higher number (AgentEventOrderTests). Stored and queued in one
    /// statement: the lock is held for the commit's round trip only, not for another one before it.
    /// </summary>
    public static async Task<bool> AppendAsync<TData>(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string agentId, string type,
        TData data, DateTimeOffset now, CancellationToken ct) where TData : IAgentEventData
    {
        var body = Serialize(type, now, data);
        var seq = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"""
            with event as (
                insert into gateway_agent_events (id, agent_id, type, body, created_at)
                select @sourceMessageId, @agentId, @eventType, @body, @now
                from (select pg_advisory_xact_lock(hashtext('gateway_agent_events'), hashtext(@agentId))) as in_commit_order
                on conflict (id) do nothing returning seq
            ), queued as (
                {QueueForTargets} and exists (select 1 from event)
                on conflict (source_message_id, target_id) do nothing
            )
            select seq from event
            """, QueueParameters(agentId, id, type, body, data.ConversationId, now), tx, cancellationToken: ct));
        return seq is not null;
    }

    /// <summary>Queues the event's bytes for every enabled target of the agent; an event already queued (a redelivered message) adds nothing.</summary>
    public static Task<int> QueueForTargetsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string agentId, Guid sourceMessageId, string eventType,
        byte[] body, Guid? conversationId, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"""
            {QueueForTargets}
            on conflict (source_message_id, target_id) do nothing
            """, QueueParameters(agentId, sourceMessageId, eventType, body, conversationId, now), tx, cancellationToken: ct));

    /// <summary>A delivery of the event for each enabled target of the agent, in the trace the event is written in.</summary>
    private const string QueueForTargets = """
        insert into gateway_deliveries (id, target_id, source_message_id, event_type, body, status, next_attempt_at, conversation_id, trace_parent)
        select gen_random_uuid(), t.id, @sourceMessageId, @eventType, @body, 'pending', @now, @conversationId, @traceParent
        from gateway_targets t
        where t.agent_id = @agentId and t.enabled
        """;

    private static object QueueParameters(string agentId, Guid sourceMessageId, string eventType, byte[] body, Guid? conversationId, DateTimeOffset now) =>
        new { agentId, sourceMessageId, eventType, body, conversationId, now = now.UtcDateTime, traceParent = ServiceTracing.CurrentParent() };
}
