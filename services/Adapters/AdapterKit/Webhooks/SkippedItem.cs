namespace Routing.Adapters.Webhooks;

/// <summary>An item of a batched delivery that could not be understood and was left out, the rest being published: where and why.</summary>
public sealed record SkippedItem(string Field, string Problem)
{
    /// <summary>
    /// Reads one item of a batch with <paramref name="read"/>; a malformed item is added to <paramref name="skipped"/> instead of
    /// refusing the whole delivery, which the provider would retry, good items included, until it gave up on them.
    /// </summary>
    public static void Try(List<SkippedItem> skipped, Action read)
    {
        try
        {
            read();
        }
        catch (MalformedWebhookException ex)
        {
            skipped.Add(new SkippedItem(ex.Field, ex.Problem));
        }
    }
}
