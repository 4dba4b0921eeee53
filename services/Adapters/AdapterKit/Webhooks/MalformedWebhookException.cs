namespace Routing.Adapters.Webhooks;

/// <summary>A verified delivery that cannot be understood: answered 400 naming the field, nothing published.</summary>
public sealed class MalformedWebhookException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
