using Routing.Contracts;
using System.Text.Json;

namespace Routing.Outbox;

/// <summary>Names in the outbox table are the contract type names; payloads are their JSON.</summary>
internal static class ContractTypes
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> ByName = typeof(InboundMessageReceived).Assembly.GetExportedTypes()
        .Where(t => t.IsClass && t.Namespace == typeof(InboundMessageReceived).Namespace)
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static Type Resolve(string name) =>
        ByName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown contract type '{name}' in the outbox.");
}
