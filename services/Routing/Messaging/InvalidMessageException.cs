namespace Routing.Messaging;

/// <summary>
/// A message that can never be routed however often it is retried. It is not retried: MassTransit
/// moves it to the endpoint's _error queue, with this message (naming the field) in its fault headers.
/// </summary>
public sealed class InvalidMessageException(string field, string problem)
    : Exception($"Invalid message: {field}: {problem}")
{
    public string Field { get; } = field;
}
