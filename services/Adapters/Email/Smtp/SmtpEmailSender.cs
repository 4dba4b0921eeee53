using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Email.Smtp;

/// <summary>
/// Sends an agent's reply through SMTP from the support address the customer wrote to, as a reply the
/// customer's mail client threads: "Re:" subject, In-Reply-To the customer's message, References the thread's
/// root and that message. The Message-ID is made from the command id, so it is the provider message id and a
/// retried send is recognisably the same mail. Trouble before the mail is handed over (connecting, logging in) and 4xx
/// replies (the server refused it) are retried (Outbound:MaxRetries, jittered backoff); a 5xx reply is permanent. A
/// connection lost while the mail is handed over leaves its outcome unknown: the server may have accepted it, so it is
/// not sent again. Once the server accepted the mail, a failing QUIT changes nothing.
/// </summary>
internal sealed class SmtpEmailSender : IChannelSender
{
    /// <summary>The files of one mail together (ChannelFiles: 25 MB once base64-encoded).</summary>
    private const long MaxFileBytes = 18 * 1024 * 1024;

    private readonly IOptions<EmailOptions> _options;
    private readonly FileDownloads _downloads;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;

    public SmtpEmailSender(IOptions<EmailOptions> options, IOptions<OutboundOptions> outbound, FileDownloads downloads, TimeProvider time)
    {
        (_options, _downloads, _time) = (options, downloads, time);
        var retry = outbound.Value;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(retry.TotalTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<SmtpCommandException>(e => (int)e.StatusCode is >= 400 and < 500)
                    .Handle<SmtpProtocolException>().Handle<ServiceNotConnectedException>().Handle<IOException>().Handle<SocketException>()
                    .Handle<TimeoutException>(),
                MaxRetryAttempts = Math.Max(retry.MaxRetries, 1),
                Delay = retry.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }

    public string Channel => Channels.Email;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var smtp = _options.Value.Smtp;
        if (string.IsNullOrEmpty(smtp.Host))
        {
            return SendOutcome.Failed("not-configured", "Email:Smtp:Host is not set; this adapter cannot send.", permanent: true);
        }
        if (!MailboxAddress.TryParse(command.To.Value, out var to) || !MailboxAddress.TryParse(command.ChannelAccount, out var from))
        {
            return SendOutcome.Failed("invalid-address", $"'{command.To.Value}' or '{command.ChannelAccount}' is not an email address.", permanent: true);
        }
        from.Name = smtp.DisplayName;
        to.Name = command.To.DisplayName;
        var (files, failure) = await _downloads.DownloadAsync(command.Attachments, MaxFileBytes, ct);
        if (failure is not null)
        {
            return failure;
        }
        var mail = Compose(command, from, to, files);
        try
        {
            await _pipeline.ExecuteAsync(async token =>
            {
                using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
                await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security, token);
                if (!string.IsNullOrEmpty(smtp.Username))
                {
                    await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", token);
                }
                try
                {
                    await client.SendAsync(mail, token);
                }
                catch (Exception ex) when (ex is not (SmtpCommandException or OperationCanceledException))
                {
                    throw new HandOverInterruptedException(ex);
                }
                try
                {
                    await client.DisconnectAsync(quit: true, token);
                }
                catch (Exception ex) when (ex is SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or TimeoutException)
                {
                    // The server accepted the mail; how the session ends is not the send's outcome.
                }
            }, ct);
            return SendOutcome.Sent(mail.MessageId!);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            return SendOutcome.Failed(code.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{ex.ErrorCode}: {ex.Message}", permanent: code >= 500);
        }
        catch (HandOverInterruptedException ex)
        {
            return SendOutcome.Unknown("connection-lost", ex.InnerException!.Message);
        }
        catch (Polly.Timeout.TimeoutRejectedException ex)
        {
            return SendOutcome.Unknown("timeout", ex.Message);
        }
        catch (AuthenticationException ex)
        {
            return SendOutcome.Failed("authentication", ex.Message, permanent: true);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or TimeoutException)
        {
            return SendOutcome.Failed("unreachable", ex.Message, permanent: false);
        }
    }

    private MimeMessage Compose(SendChannelMessage command, MailboxAddress from, MailboxAddress to, IReadOnlyList<DownloadedFile> files)
    {
        var subject = command.Subject is { Length: > 0 } original
            ? original.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? original : "Re: " + original
            : "Re: your message";
        var mail = new MimeMessage
        {
            Subject = subject,
            Date = _time.GetUtcNow(),
            MessageId = $"{command.CommandId:N}@{from.Domain}",
            Body = Body(command.Text, files),
        };
        mail.From.Add(from);
        mail.To.Add(to);
        if (command.ReplyToProviderMessageId is { Length: > 0 } parent)
        {
            mail.InReplyTo = parent;
            if (command.ThreadKey is { Length: > 0 } root && root != parent)
            {
                mail.References.Add(root);
            }
            mail.References.Add(parent);
        }
        mail.Headers.Add("X-Routing-Conversation", command.ConversationId.ToString());
        return mail;
    }

    /// <summary>The text alone, or multipart/mixed: the text, then each file as an attachment (base64, its name and type).</summary>
    private static MimeEntity Body(string text, IReadOnlyList<DownloadedFile> files)
    {
        var body = new TextPart("plain") { Text = text };
        if (files.Count == 0)
        {
            return body;
        }
        var mixed = new Multipart("mixed") { body };
        foreach (var file in files)
        {
            mixed.Add(new MimePart(ContentType.Parse(file.ContentType))
            {
                Content = new MimeContent(new MemoryStream(file.Content)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = file.File.FileName ?? "attachment",
            });
        }
        return mixed;
    }
}

/// <summary>The connection failed while the mail was handed over: the server may have it. Never retried.</summary>
internal sealed class HandOverInterruptedException(Exception inner) : Exception("The SMTP session ended while the mail was handed over.", inner);
