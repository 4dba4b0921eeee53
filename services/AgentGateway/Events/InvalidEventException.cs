namespace Routing.AgentGateway.Events;

/// <summary>An event the gateway can never apply however often it is retried: MassTransit moves it to agent-gateway_error with this reason.</summary>
internal sealed class InvalidEventException(string field, string problem) : Exception($"Invalid message: {field}: {problem}");
