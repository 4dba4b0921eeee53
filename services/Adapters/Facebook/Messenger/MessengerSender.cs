using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>
/// Sends through the Send API (POST /{version}/{page-id}/messages with the Page's token,
/// https://developers.facebook.com/docs/messenger-platform/reference/send-api). Within 24 hours of the
/// customer's last message a reply is a RESPONSE; past that, and when Meta refuses with (#10) subcode
/// 2018278, it goes with the HUMAN_AGENT tag (up to 7 days) where configured, or fails permanently with
/// "outside-window". The Send API takes text or one attachment per message: a reply with files goes as its text, then
/// each file as an attachment by URL (image, video, audio or file), which Meta fetches from the gateway.
/// </summary>
internal sealed class MessengerSender(HttpClient http, IOptions<MessengerOptions> options, ReplyParts replyParts, TimeProvider time) : IChannelSender
{
    public const string OutsideWindow = "outside-window";
    private const int WindowCode = 10, WindowSubcode = 2018278;
    private static readonly TimeSpan StandardWindow = TimeSpan.FromHours(24);
    private static readonly TimeSpan HumanAgentWindow = TimeSpan.FromDays(7);

    // 1200: temporary send failure; 613: calls per hour exceeded (Graph-wide limits are in GraphApi).
    private static readonly HashSet<int> TransientCodes = [1200];

    public string Channel => Channels.Facebook;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.PageAccessTokens.TryGetValue(command.ChannelAccount, out var token) || string.IsNullOrEmpty(token))
        {
            return SendOutcome.Failed("not-configured", $"No Facebook:PageAccessTokens:{command.ChannelAccount}; this Page cannot send.", permanent: true);
        }
        var url = $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/{Uri.EscapeDataString(command.ChannelAccount)}/messages";
        var age = command.CustomerLastMessageAt is { } last ? time.GetUtcNow() - last : (TimeSpan?)null;

        if (age is null || age < StandardWindow)
        {
            var (outcome, outsideWindow) = await SendAsync(url, token, command, tagged: false, ct);
            if (!outsideWindow)
            {
                return outcome;
            }
        }
        if (!config.HumanAgentTag)
        {
            return SendOutcome.Failed(OutsideWindow,
                "More than 24 hours have passed since the customer last wrote, and Facebook:HumanAgentTag is not enabled.", permanent: true);
        }
        if (age >= HumanAgentWindow)
        {
            return SendOutcome.Failed(OutsideWindow, "More than 7 days have passed since the customer last wrote: not even a human agent may answer on Messenger.", permanent: true);
        }
        var (tagged, stillOutside) = await SendAsync(url, token, command, tagged: true, ct);
        return stillOutside
            ? SendOutcome.Failed(OutsideWindow, "Meta refused the reply even with the HUMAN_AGENT tag: " + tagged.ErrorMessage, permanent: true)
            : tagged;
    }

    /// <summary>The reply's parts in order; the first refused for the window answers for all (nothing after it was sent).</summary>
    private async Task<(SendOutcome Outcome, bool OutsideWindow)> SendAsync(string url, string token, SendChannelMessage command, bool tagged, CancellationToken ct)
    {
        var outsideWindow = false;
        var outcome = await replyParts.SendAsync(command, ReplyParts.Of(command, _ => false), async part =>
        {
            var result = await GraphApi.PostAsync(http, url, token, new
            {
                recipient = new { id = command.To.Value },
                messaging_type = tagged ? "MESSAGE_TAG" : "RESPONSE",
                tag = tagged ? "HUMAN_AGENT" : null,
                message = part.File is { } file
                    ? (object)new { attachment = new { type = AttachmentType(file), payload = new { url = file.Url, is_reusable = false } } }
                    : new { text = part.Text },
            }, ct);
            outsideWindow |= result.Code == WindowCode && result.Subcode == WindowSubcode;
            return Outcome(result);
        }, way: tagged ? "tagged" : "");
        return (outcome, outsideWindow);
    }

    /// <summary>The Send API's attachment type for a file: image, video, audio, or file for anything else.</summary>
    private static string AttachmentType(MessageAttachment file) => ChannelFiles.Kind(file.ContentType) ?? "file";

    private static SendOutcome Outcome(GraphResult result) =>
        GraphApi.Outcome(result, body => body.TryGetProperty("message_id", out var id) ? id.GetString() : null, TransientCodes);
}
