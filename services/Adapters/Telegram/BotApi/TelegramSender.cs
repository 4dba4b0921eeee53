using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Telegram.BotApi;

/// <summary>
/// Sends through the Bot API (https://core.telegram.org/bots/api#available-methods) to the customer's private chat with the
/// bot: text with sendMessage (4096 characters a message, a longer reply in several), files uploaded as multipart after
/// fetching them from the gateway (sendPhoto, sendVideo, sendAudio, sendVoice, sendAnimation, else sendDocument: Telegram
/// fetches only GIF, PDF and ZIP documents by URL, and the gateway need not be reachable from Telegram), the text as the
/// first file's caption when it fits in 1024 characters. A 429 carries parameters.retry_after, which the pipeline waits
/// out (<see cref="RetryAfterHandler"/>); a customer who blocked the bot or deleted their account is a permanent failure.
/// A token refused (401) on sends in a row turns the channel's health Degraded (telegram-access in readiness).
/// The bot's token is in every call's URL, never in a message: the kit masks it in logs and traces.
/// </summary>
internal sealed class TelegramSender(HttpClient http, IOptions<TelegramOptions> options, ReplyParts replyParts, FileDownloads downloads, ChannelHealth health)
    : IChannelSender
{
    public const int MaxText = 4096, MaxCaption = 1024;
    public const string Blocked = "blocked";
    private const long MaxPhotoBytes = 10 * 1024 * 1024, MaxFileBytes = 50 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Channel => Channels.Telegram;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (command.ChannelAccount != config.BotId)
        {
            return SendOutcome.Failed("not-configured", $"This adapter sends as bot {config.BotId}, not {command.ChannelAccount}.", permanent: true);
        }
        var chat = command.To.Value;
        var replyTo = ReplyTo(command.ReplyToProviderMessageId, chat);
        var parts = Parts(command);
        var first = true;
        return await replyParts.SendAsync(command, parts, async part =>
        {
            // the reply quotes the customer's message once, with the reply's first message
            var quoting = first ? replyTo : null;
            first = false;
            return part.File is { } file ? await SendFileAsync(config, chat, file, part.Text, quoting, ct) : await SendTextAsync(config, chat, part.Text ?? "", quoting, ct);
        });
    }

    /// <summary>The reply's messages: text in pieces Telegram takes, each file after, the text as the first file's caption when it fits.</summary>
    internal static IReadOnlyList<ReplyPart> Parts(SendChannelMessage command)
    {
        if (command.Text.Length <= MaxText)
        {
            return ReplyParts.Of(command, _ => command.Text.Length <= MaxCaption);
        }
        return [.. Pieces(command.Text).Select(t => new ReplyPart(t, null)), .. command.Attachments.Select(f => new ReplyPart(null, f))];
    }

    /// <summary>The text in pieces of at most 4096 characters, cut after a line or a space where there is one, never inside a surrogate pair.</summary>
    internal static IEnumerable<string> Pieces(string text)
    {
        var start = 0;
        while (text.Length - start > MaxText)
        {
            var end = start + MaxText;
            var cut = text.LastIndexOf('\n', end - 1, MaxText / 2);
            if (cut < 0)
            {
                cut = text.LastIndexOf(' ', end - 1, MaxText / 2);
            }
            var length = cut >= 0 ? cut + 1 - start : char.IsHighSurrogate(text[end - 1]) ? MaxText - 1 : MaxText;
            yield return text.Substring(start, length);
            start += length;
        }
        yield return text[start..];
    }

    private async Task<SendOutcome> SendTextAsync(TelegramOptions config, string chat, string text, long? replyTo, CancellationToken ct)
    {
        using var content = JsonContent.Create(new
        {
            chat_id = chat,
            text,
            reply_parameters = replyTo is { } id ? new { message_id = id, allow_sending_without_reply = true } : null,
        }, options: Json);
        return await CallAsync(config, "sendMessage", content, chat, ct);
    }

    private async Task<SendOutcome> SendFileAsync(TelegramOptions config, string chat, MessageAttachment file, string? caption, long? replyTo, CancellationToken ct)
    {
        var type = ChannelFiles.MediaType(file.ContentType);
        var (method, field) = Method(type);
        var (downloaded, failure) = await downloads.DownloadAsync([file], method == "sendPhoto" ? MaxPhotoBytes : MaxFileBytes, ct);
        if (failure is not null)
        {
            return failure;
        }
        using var form = new MultipartFormDataContent
        {
            { new StringContent(chat), "chat_id" },
        };
        if (caption is not null)
        {
            form.Add(new StringContent(caption), "caption");
        }
        if (replyTo is { } id)
        {
            form.Add(new StringContent(JsonSerializer.Serialize(new { message_id = id, allow_sending_without_reply = true })), "reply_parameters");
        }
        var bytes = new ByteArrayContent(downloaded[0].Content);
        bytes.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(bytes, field, file.FileName ?? field + Extension(type));
        return await CallAsync(config, method, form, chat, ct);
    }

    /// <summary>The Bot API method and its file field for a media type.</summary>
    private static (string Method, string Field) Method(string type) => type switch
    {
        "image/jpeg" or "image/png" or "image/webp" => ("sendPhoto", "photo"),
        "image/gif" => ("sendAnimation", "animation"),
        "video/mp4" => ("sendVideo", "video"),
        "audio/mpeg" or "audio/mp4" => ("sendAudio", "audio"),
        "audio/ogg" => ("sendVoice", "voice"),
        _ => ("sendDocument", "document"),
    };

    private static string Extension(string type) => type.Split('/') is [_, var sub] && sub.All(char.IsAsciiLetterOrDigit) ? "." + sub : "";

    private async Task<SendOutcome> CallAsync(TelegramOptions config, string method, HttpContent content, string chat, CancellationToken ct)
    {
        using var response = await http.PostAsync($"{config.ApiBaseUrl.TrimEnd('/')}/bot{config.BotToken}/{method}", content, ct);
        var status = (int)response.StatusCode;
        // the bot's access: a token revoked or replaced at @BotFather is 401 on every call (403 is one customer's block, not the bot's)
        if (status is 401 or (>= 200 and < 300))
        {
            health.Record(status);
        }
        return Outcome(status, await response.Content.ReadAsStringAsync(ct), chat);
    }

    /// <summary>
    /// The Bot API's answer: {"ok":true,"result":{"message_id":…}}, or {"ok":false,"error_code","description","parameters"}.
    /// 403 is final (the customer blocked the bot, or is gone); 400 too (the chat does not exist, the file is refused).
    /// </summary>
    internal static SendOutcome Outcome(int status, string body, string chat)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return SendOutcome.ForError(status, status.ToString(CultureInfo.InvariantCulture), $"The Bot API answered {status} without JSON.", permanent: status is >= 400 and < 500);
        }
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            return root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
                   && result.TryGetProperty("message_id", out var id) && id.ValueKind == JsonValueKind.Number
                ? SendOutcome.Sent($"{chat}:{id.GetRawText()}")
                : SendOutcome.Failed("unexpected-response", $"The Bot API answered {status} without a message id.", permanent: false);
        }
        var code = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error_code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : status;
        var description = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString()! : $"The Bot API answered {status}.";
        return code == 403
            ? SendOutcome.Failed(Blocked, description, permanent: true)
            : SendOutcome.ForError(status, code.ToString(CultureInfo.InvariantCulture), description, permanent: code is >= 400 and < 500 and not 429);
    }

    /// <summary>The message id to quote when the reply answers a message of this customer's chat ("{chat}:{message_id}").</summary>
    private static long? ReplyTo(string? providerMessageId, string chat) =>
        providerMessageId?.Split(':') is [var c, var id] && c == chat && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId) ? messageId : null;
}
