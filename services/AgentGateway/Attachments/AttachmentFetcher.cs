using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Attachments;

/// <summary>
/// Fetches each pending attachment from its provider, scans it and keeps it; a refusal the provider will repeat (gone, too
/// large, credentials refused) or an infected file is final, anything else is tried again with backoff up to
/// Gateway:Attachments:MaxAttempts. Runs in the background for every new attachment, and at once for one an agent opens
/// before its turn. Also deletes files past retention.
/// </summary>
internal sealed class AttachmentFetcher(
    AttachmentStore store, IAttachmentContent content, MediaSources sources, IAttachmentScanner scanner, IOptions<AttachmentOptions> options,
    TimeProvider time, ILogger<AttachmentFetcher> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    /// <summary>Fetches the attachment <paramref name="id"/> now if it is pending and nobody else is at it; true when it was taken.</summary>
    public async Task<bool> FetchNowAsync(Guid id, CancellationToken ct) =>
        await store.ClaimAsync(id, time.GetUtcNow(), Lease, ct) is { } row && await FetchAsync(row, ct) is var _;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() >= nextSweep)
                {
                    await SweepAsync(stoppingToken);
                    nextSweep = time.GetUtcNow().AddMinutes(10);
                }
                if (await store.ClaimAsync(null, time.GetUtcNow(), Lease, stoppingToken) is { } row)
                {
                    await FetchAsync(row, stoppingToken);
                    continue;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Attachments: the database did not answer ({Error}); trying again", ex.GetType().Name);
            }
            await Task.Delay(Idle, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<bool> FetchAsync(AttachmentRow row, CancellationToken ct)
    {
        var limits = options.Value;
        try
        {
            var download = await sources.DownloadAsync(row.Channel, row.Source!, limits.MaxBytes, ct);
            var (verdict, found) = await scanner.ScanAsync(download.Content, ct);
            if (verdict == ScanVerdict.Infected)
            {
                logger.LogWarning("Attachment {Attachment} is infected ({Found}): not kept", row.Id, found);
                await store.GiveUpAsync(row.Id, "refused", $"the scanner found {found}", "infected", ct);
                return true;
            }
            await content.PutAsync(row.Id, download.Content, ct);
            // the provider's type wins over the webhook's guess ("image/*"), unless it says nothing useful
            var type = download.ContentType is "application/octet-stream" && !row.ContentType.Contains('*') ? row.ContentType : download.ContentType;
            await store.StoredAsync(row.Id, type, download.Content.LongLength, Convert.ToHexStringLower(SHA256.HashData(download.Content)),
                verdict == ScanVerdict.Clean ? "clean" : "not-scanned", time.GetUtcNow(), ct);
            logger.LogInformation("Attachment {Attachment} of message {Message} kept ({Bytes} bytes)", row.Id, row.MessageId, download.Content.LongLength);
        }
        catch (MediaRefusedException refused)
        {
            logger.LogWarning("Attachment {Attachment} of message {Message} not kept: {Reason}", row.Id, row.MessageId, refused.Message);
            await store.GiveUpAsync(row.Id, "refused", refused.Message, null, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            var attempt = row.Attempts + 1;
            var reason = $"the provider or the scanner did not answer ({ex.GetType().Name})";
            if (attempt >= limits.MaxAttempts)
            {
                logger.LogWarning("Attachment {Attachment} given up after {Attempts} attempts: {Error}", row.Id, attempt, ex.GetType().Name);
                await store.GiveUpAsync(row.Id, "failed", reason, null, ct);
            }
            else
            {
                var wait = TimeSpan.FromSeconds(Math.Min(5 * Math.Pow(3, attempt - 1), 1800));
                await store.RetryAsync(row.Id, reason, time.GetUtcNow() + wait, ct);
            }
        }
        return true;
    }

    /// <summary>Files kept longer than Gateway:Attachments:Retention are deleted; the message keeps the attachment's name and type.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        foreach (var id in await store.ExpiredAsync(time.GetUtcNow() - options.Value.Retention, 500, ct))
        {
            await content.DeleteAsync(id, ct);
            await store.MarkDeletedAsync(id, ct);
        }
    }
}
