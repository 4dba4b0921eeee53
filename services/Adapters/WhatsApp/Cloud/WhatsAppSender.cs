using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.WhatsApp.Cloud;

/// <summary>
/// Sends text and media through the Cloud API (POST /{version}/{phone-number-id}/messages,
/// https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages). Free-form messages reach the
/// customer only within 24 hours of their last message; past that, and when Meta refuses with 131047, the
/// configured re-engagement template goes instead, or the send fails permanently with 131047. Meta may
/// also accept the text and report 131047 later as a failed status, which reaches the agent as a
/// DeliveryStatusChanged. Files go one per message by link (image, video, audio or document, which Meta fetches from the
/// gateway), the text as the caption of the first that takes one (not audio; 1024 characters at most), else before them.
/// </summary>
internal sealed partial class WhatsAppSender(HttpClient http, IOptions<WhatsAppOptions> options, ReplyParts replyParts, TimeProvider time) : IChannelSender
{
    public const string OutsideWindow = "131047";
    private const int OutsideWindowCode = 131047;
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    // Rate limits (130429 throughput, 131048 spam, 131056 pair, 80007 account), and Meta's own trouble.
    private static readonly HashSet<int> TransientCodes = [130429, 131048, 131056, 80007, 131000, 131016, 133004];

    public string Channel => Channels.WhatsApp;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (string.IsNullOrEmpty(config.AccessToken))
        {
            return SendOutcome.Failed("not-configured", "WhatsApp:AccessToken is not set; this adapter cannot send.", permanent: true);
        }
        var number = Digits(command.ChannelAccount);
        if (!config.PhoneNumberIds.TryGetValue(number, out var phoneNumberId) || string.IsNullOrEmpty(phoneNumberId))
        {
            return SendOutcome.Failed("not-configured", $"No WhatsApp:PhoneNumberIds:{number} for the channel account {command.ChannelAccount}.", permanent: true);
        }
        var url = $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/{Uri.EscapeDataString(phoneNumberId)}/messages";
        var to = Digits(command.To.Value);

        var windowClosed = command.CustomerLastMessageAt is { } last && time.GetUtcNow() - last >= Window;
        if (!windowClosed)
        {
            var parts = ReplyParts.Of(command, file => CaptionFits(command.Text) && MediaKind(file) is not "audio");
            var sent = await replyParts.SendAsync(command, parts, part => SendPartAsync(url, config.AccessToken, to, command, part, ct));
            if (sent.ErrorCode != OutsideWindow)
            {
                return sent;
            }
        }
        if (command.Attachments.Count > 0)
        {
            return SendOutcome.Failed(OutsideWindow,
                "More than 24 hours have passed since the customer last wrote: files go only within the window (a template carries text only).", permanent: true);
        }
        if (config.ReengagementTemplate is not { Name.Length: > 0 } template)
        {
            return SendOutcome.Failed(OutsideWindow,
                "More than 24 hours have passed since the customer last wrote, and no WhatsApp:ReengagementTemplate is configured.", permanent: true);
        }
        return Outcome(await GraphApi.PostAsync(http, url, config.AccessToken, new
        {
            messaging_product = "whatsapp",
            recipient_type = "individual",
            to,
            type = "template",
            template = new
            {
                name = template.Name,
                language = new { code = template.Language },
                components = template.TextAsParameter
                    ? new[] { new { type = "body", parameters = new[] { new { type = "text", text = Parameter(command.Text) } } } }
                    : null,
            },
            biz_opaque_callback_data = CallbackData(command),
        }, ct));
    }

    private async Task<SendOutcome> SendPartAsync(string url, string token, string to, SendChannelMessage command, ReplyPart part, CancellationToken ct)
    {
        var context = command.ReplyToProviderMessageId is { } replyTo ? new { message_id = replyTo } : null;
        if (part.File is not { } file)
        {
            return Outcome(await GraphApi.PostAsync(http, url, token, new
            {
                messaging_product = "whatsapp",
                recipient_type = "individual",
                to,
                type = "text",
                text = new { preview_url = false, body = part.Text },
                context,
                biz_opaque_callback_data = CallbackData(command),
            }, ct));
        }
        var kind = MediaKind(file);
        var media = new Dictionary<string, string> { ["link"] = file.Url! };
        if (part.Text is not null)
        {
            media["caption"] = part.Text;
        }
        if (kind == "document" && file.FileName is { } name)
        {
            media["filename"] = name;
        }
        var message = new Dictionary<string, object>
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = to,
            ["type"] = kind,
            [kind] = media,
            ["biz_opaque_callback_data"] = CallbackData(command),
        };
        if (context is not null)
        {
            message["context"] = context;
        }
        return Outcome(await GraphApi.PostAsync(http, url, token, message, ct));
    }

    /// <summary>The Cloud API's message type for a file: image, video, audio, or document for anything else.</summary>
    private static string MediaKind(MessageAttachment file) => ChannelFiles.Kind(file.ContentType) ?? "document";

    private static bool CaptionFits(string text) => text.Length <= 1024;

    /// <summary>
    /// The command id, which Meta hands back in every status of the message (biz_opaque_callback_data): a send whose
    /// answer was lost is still settled by its statuses.
    /// </summary>
    private static string CallbackData(SendChannelMessage command) => command.CommandId.ToString("N");

    private static SendOutcome Outcome(GraphResult result) =>
        GraphApi.Outcome(result, body => body.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array
            && messages.GetArrayLength() > 0 && messages[0].TryGetProperty("id", out var id) ? id.GetString() : null, TransientCodes);

    private static string Parameter(string text) => Whitespace().Replace(text, " ").Trim();

    private static string Digits(string value) => new(value.Where(char.IsAsciiDigit).ToArray());

    // Meta refuses template parameters with new lines, tabs or more than 4 consecutive spaces.
    [GeneratedRegex(@"[\r\n\t]+| {5,}")]
    private static partial Regex Whitespace();
}
