using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Routing.Adapters.Webhooks;
using Xunit;

namespace Routing.Adapters.Testing;

/// <summary>Runs a <see cref="ConformanceCase"/> through a channel's webhook, as the kit's endpoint would.</summary>
public static class Conformance
{
    /// <summary>The instant the kit hands the parser; expected messages use it for times the provider does not send.</summary>
    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Check(IChannelWebhook webhook, string publicUrl, ConformanceCase @case)
    {
        var request = new WebhookRequest(Encoding.UTF8.GetBytes(@case.Body),
            @case.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase),
            publicUrl, @case.ContentType);

        Assert.Equal(@case.Signature, webhook.Verify(request));
        if (@case.Signature != SignatureCheck.Valid)
        {
            return;
        }
        if (@case.MalformedField is { } field)
        {
            Assert.Equal(field, Assert.Throws<MalformedWebhookException>(() => webhook.Parse(request, ReceivedAt)).Field);
            return;
        }
        var content = webhook.Parse(request, ReceivedAt);
        // Compared as JSON: what the broker carries is what must match, field by field.
        Assert.Equal(JsonSerializer.Serialize(@case.Messages, Json), JsonSerializer.Serialize(content.Messages, Json));
        Assert.Equal(JsonSerializer.Serialize(@case.Statuses, Json), JsonSerializer.Serialize(content.Statuses, Json));
        Assert.Equal(@case.SkippedFields, content.Skipped.Select(s => s.Field));
    }
}
