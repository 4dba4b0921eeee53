using Routing.Adapters.Email.Files;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MassTransit;
using Microsoft.Extensions.Options;
using Routing.Adapters.Email.Mime;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Email.Imap;

/// <summary>
/// Reads the support mailbox over IMAP: every message not yet handled is fetched (without setting \Seen),
/// normalized and published, and only once the broker confirmed it is it flagged ($Routed and \Seen) or moved,
/// so a crash in between publishes it again rather than losing it (the same Message-ID, so the same MessageId:
/// routing applies it once). Waits with IDLE where the server has it, and polls otherwise; reconnects with
/// backoff. Within a process, a message published but not yet flagged (UIDVALIDITY + UID) is not published twice.
/// </summary>
internal sealed class ImapInboxWatcher(IOptions<EmailOptions> options, IOptions<WebhookOptions> publishing, IBus bus, ImapHealth health, EmailMetrics metrics,
    EmailFiles files, TimeProvider time, ILogger<ImapInboxWatcher> logger) : BackgroundService
{
    public const string RoutedKeyword = "$Routed";
    public const string NotRoutedKeyword = "$NotRouted";
    private readonly HashSet<(uint Validity, uint Uid)> _published = [];
    private bool _arrived;
    private CancellationTokenSource? _idle;
    private int _failuresSinceConnected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var imap = options.Value.Imap;
        if (string.IsNullOrEmpty(imap.Host))
        {
            logger.LogInformation("Email:Imap:Host is not set: the mailbox is not read (inbound webhooks and sending still work)");
            health.Disabled();
            return;
        }
        // Reconnects after 1 s, 2 s, 4 s… up to 2 minutes, counted afresh once a connection was made.
        var reconnecting = BackgroundRetry.Pipeline(time, _ => BackgroundRetry.Doubling(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2),
            Interlocked.Increment(ref _failuresSinceConnected) - 1), (ex, wait) =>
            {
                health.Failed(ex.Message);
                logger.LogWarning(ex, "The IMAP connection to {Host}:{Port} failed; reconnecting in {Backoff}", imap.Host, imap.Port, wait);
            });
        try
        {
            await reconnecting.ExecuteAsync(async ct => await ReadAsync(imap, ct), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One connection: reads the folder until the connection fails (it throws) or the service stops.</summary>
    private async Task ReadAsync(ImapOptions imap, CancellationToken stoppingToken)
    {
        using var client = new ImapClient();
        await client.ConnectAsync(imap.Host!, imap.Port, imap.Security, stoppingToken); // set: ExecuteAsync returns without one
        await client.AuthenticateAsync(imap.Username, imap.Password, stoppingToken);
        var folder = await client.GetFolderAsync(imap.Folder, stoppingToken);
        // New mail may be announced in the answer to any command (SEARCH, STORE…), not only during IDLE.
        folder.CountChanged += (_, _) =>
        {
            _arrived = true;
            _idle?.Cancel();
        };
        await folder.OpenAsync(FolderAccess.ReadWrite, stoppingToken);
        var target = imap.AfterPublish == AfterPublish.Move ? await TargetFolderAsync(client, imap.MoveTo, stoppingToken) : null;
        health.Connected();
        logger.LogInformation("Reading {Folder} of {Address} on {Host}:{Port} ({Mode})", imap.Folder, imap.Address, imap.Host, imap.Port,
            client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "IDLE" : $"polling every {imap.PollInterval}");
        Interlocked.Exchange(ref _failuresSinceConnected, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            var (found, handled) = await DrainAsync(folder, target, imap, stoppingToken);
            if (handled < found)
            {
                // The broker did not confirm: the rest stays unhandled in the mailbox; try again soon, not at the next mail.
                await Task.Delay(imap.PollInterval, time, stoppingToken);
            }
            else if (found < imap.BatchSize)
            {
                await WaitForMailAsync(client, imap, stoppingToken);
            }
        }
    }

    /// <summary>One round: up to a batch of unhandled messages published, then marked handled together. Returns how many it found and handled.</summary>
    private async Task<(int Found, int Handled)> DrainAsync(IMailFolder folder, IMailFolder? target, ImapOptions imap, CancellationToken ct)
    {
        var keywords = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined);
        _arrived = false;
        var query = imap.AfterPublish == AfterPublish.Move ? SearchQuery.All : keywords ? SearchQuery.NotKeyword(RoutedKeyword) : SearchQuery.NotSeen;
        var uids = (await folder.SearchAsync(query, ct)).OrderBy(u => u.Id).Take(imap.BatchSize).ToList();
        var handled = new List<UniqueId>();
        var notRouted = new List<UniqueId>();
        foreach (var uid in uids)
        {
            if (!_published.Contains((folder.UidValidity, uid.Id)))
            {
                var mail = await folder.GetMessageAsync(uid, ct);
                var reading = InboundEmail.Read(mail, imap.Address, $"imap.{folder.UidValidity}.{uid.Id}@{imap.Address}", time.GetUtcNow(),
                    [], options.Value.TrustedAuthenticationServers, files.Keep);
                if (!await PublishAsync(reading, ct))
                {
                    break; // the broker did not confirm: leave this and the rest for the next round
                }
                _published.Add((folder.UidValidity, uid.Id));
                if (reading.Message is null)
                {
                    notRouted.Add(uid);
                }
            }
            handled.Add(uid);
        }
        if (handled.Count > 0)
        {
            if (notRouted.Count > 0 && keywords)
            {
                await folder.AddFlagsAsync(notRouted, MessageFlags.None, [NotRoutedKeyword], silent: true, ct);
            }
            if (target is not null)
            {
                await folder.MoveToAsync(handled, target, ct);
            }
            else
            {
                await folder.AddFlagsAsync(handled, MessageFlags.Seen, keywords ? [RoutedKeyword] : [], silent: true, ct);
            }
            _published.ExceptWith(handled.Select(u => (folder.UidValidity, u.Id)));
        }
        health.Drained();
        return (uids.Count, handled.Count);
    }

    private async Task<bool> PublishAsync(EmailReading reading, CancellationToken stoppingToken)
    {
        // A broker that is away makes a publish wait for it: give up after Webhooks:PublishTimeout and try again next round.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(publishing.Value.PublishTimeout);
        var ct = timeout.Token;
        try
        {
            if (reading.Message is { } message)
            {
                await bus.Publish(message, c => c.MessageId = message.MessageId, ct);
                metrics.Read("imap", "routed");
                return true;
            }
            if (reading.Bounced is { } bounce)
            {
                await bus.Publish(bounce, ct);
            }
            metrics.Read("imap", reading.NotRoutedReason == AutomaticMail.Bounce ? "bounce" : "not-routed");
            logger.LogInformation("Not routing mail {MessageId}: {Reason}", reading.ProviderMessageId, reading.NotRoutedReason);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The broker did not confirm mail {MessageId}; it stays unhandled in the mailbox", reading.ProviderMessageId);
            return false;
        }
    }

    /// <summary>
    /// IDLE until the folder's count changes or the renewal is due; without IDLE, the poll interval. Not at all when
    /// mail was announced since the last search (commands run one at a time, so nothing is announced in between).
    /// </summary>
    private async Task WaitForMailAsync(ImapClient client, ImapOptions imap, CancellationToken ct)
    {
        if (_arrived)
        {
            return;
        }
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(imap.PollInterval, time, ct);
            await client.NoOpAsync(ct);
            return;
        }
        using var done = new CancellationTokenSource(imap.IdleRenewal, time);
        _idle = done;
        try
        {
            await client.IdleAsync(done.Token, ct);
        }
        finally
        {
            _idle = null;
        }
    }

    private static async Task<IMailFolder> TargetFolderAsync(ImapClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.GetFolderAsync(name, ct);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            return await root.CreateAsync(name, isMessageFolder: true, ct) ?? throw new InvalidOperationException($"The IMAP server did not create the folder {name}.");
        }
    }
}
