namespace Routing.AgentGateway.Messaging;

/// <summary>An event the gateway can never apply however often it is retried: MassTransit moves it to agent-gateway_error with this reason.</summary>
internal sealed class InvalidEventException(string field, string problem) : Exception($"Invalid message: {field}: {problem}");

/// <summary>The checks consumers make before changing anything; a failure names the field.</summary>
internal static class Require
{
    public static void Text(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidEventException(field, "is required");
        }
    }

    public static void NotNull(object? value, string field)
    {
        if (value is null)
        {
            throw new InvalidEventException(field, "is required");
        }
    }
}
