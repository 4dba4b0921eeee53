using System.Diagnostics;
using Routing.ServiceDefaults;

namespace Routing.Observability;

/// <summary>
/// Routing's spans: one per inbound message (in the trace of the webhook it came from) and one per routing decision,
/// with the conversation's status after it and the reason as attributes; events written to the outbox carry the span that wrote them.
/// Attributes name conversations, agents and decisions, never a customer's address or words.
/// </summary>
internal static class RoutingTracing
{
    public static readonly ActivitySource Source = new(ServiceTracing.SourcePrefix + "Routing");

    /// <summary>An inbound message's place in its conversation, in the trace it was consumed in: MessageRouted leaves the outbox in that trace.</summary>
    public static Activity? Message(Guid messageId, Guid conversationId, string status, ActivityContext parent)
    {
        var activity = Source.StartActivity("route message", ActivityKind.Internal, parent);
        activity?.SetTag("routing.message.id", messageId);
        activity?.SetTag("routing.conversation.id", conversationId);
        activity?.SetTag("routing.conversation.status", status);
        return activity;
    }

    /// <summary>A routing decision for a conversation, in the trace of the message that started it.</summary>
    public static Activity? Decision(string trigger, Guid conversationId, ActivityContext parent)
    {
        var activity = Source.StartActivity("routing decision", ActivityKind.Internal, parent);
        activity?.SetTag(TelemetryAttributes.Trigger, trigger);
        activity?.SetTag("routing.conversation.id", conversationId);
        return activity;
    }

    /// <summary>The decision's result on its span: the conversation's status after it (open, offered, held, queued...), the reason, agent and receipt.</summary>
    public static void Decided(this Activity? activity, string status, string? reason, string? agentId, Guid decisionId)
    {
        activity?.SetTag("routing.conversation.status", status);
        activity?.SetTag(TelemetryAttributes.Reason, reason);
        activity?.SetTag("routing.agent.id", agentId);
        activity?.SetTag("routing.decision.id", decisionId == Guid.Empty ? null : decisionId);
    }
}
