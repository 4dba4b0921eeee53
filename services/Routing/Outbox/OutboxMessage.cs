namespace Routing.Outbox;

/// <summary>
/// An event written to the outbox: its row's message id, its contract type, the object and the JSON stored, and the
/// traceparent of the span that wrote it (its publish continues that trace).
/// </summary>
internal sealed record OutboxMessage(Guid Id, Type Type, object Message, string Payload, string? TraceParent = null);
