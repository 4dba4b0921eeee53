namespace Routing.Outbox;

/// <summary>An event written to the outbox: its row's message id, its contract type, the object and the JSON stored.</summary>
internal sealed record OutboxMessage(Guid Id, Type Type, object Message, string Payload);
