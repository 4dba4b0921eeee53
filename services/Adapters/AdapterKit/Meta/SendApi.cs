using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Meta;

/// <summary>
/// Where and how a reply goes through the Send API, which Messenger and Instagram direct messages share: the endpoint
/// (POST /{version}/{page-or-account}/messages), its access token, whether the HUMAN_AGENT tag may be used (the app needs
/// Meta's Human Agent permission, named by <paramref name="TagSetting"/> when it is off), and the error subcodes with
/// which Meta refuses a reply outside the standard window.
/// </summary>
/// <param name="AddressKind">The kind of address a direct message reaches (facebook: the Page-scoped id; instagram: the IGSID).</param>
public sealed record SendApiTarget(string Channel, string Url, string AccessToken, bool HumanAgentTag, string TagSetting, IReadOnlySet<int> WindowSubcodes,
    string AddressKind);

/// <summary>
/// The Send API (https://developers.facebook.com/docs/messenger-platform/reference/send-api). Within 24 hours of the
/// customer's last message a reply is a RESPONSE; past that, and when Meta refuses with (#10) and one of the target's
/// window subcodes, it goes with the HUMAN_AGENT tag (up to 7 days) where the target allows it, or fails permanently with
/// "outside-window". The Send API takes text or one attachment per message: a reply with files goes as its text, then each
/// file as an attachment by URL (image, video, audio or file), which Meta fetches from the gateway.
/// </summary>
public sealed class SendApi(HttpClient http, ReplyParts replyParts, TimeProvider time)
{
    public const string OutsideWindow = "outside-window";
    private const int WindowCode = 10;
    private static readonly TimeSpan StandardWindow = TimeSpan.FromHours(24);
    private static readonly TimeSpan HumanAgentWindow = TimeSpan.FromDays(7);

    // 1200: temporary send failure (Graph-wide limits are in GraphApi).
    private static readonly HashSet<int> TransientCodes = [1200];

    public async Task<SendOutcome> SendAsync(SendApiTarget target, SendChannelMessage command, CancellationToken ct)
    {
        if (command.PrivateReplyTo is not null)
        {
            return await PrivateReplyAsync(target, command, ct);
        }
        var age = command.CustomerLastMessageAt is { } last ? time.GetUtcNow() - last : (TimeSpan?)null;
        if (age is null || age < StandardWindow)
        {
            var (outcome, outsideWindow) = await SendAsync(target, command, tagged: false, ct);
            if (!outsideWindow)
            {
                return outcome;
            }
        }
        if (!target.HumanAgentTag)
        {
            return SendOutcome.Failed(OutsideWindow,
                $"More than 24 hours have passed since the customer last wrote, and {target.TagSetting} is not enabled.", permanent: true);
        }
        if (age >= HumanAgentWindow)
        {
            return SendOutcome.Failed(OutsideWindow, "More than 7 days have passed since the customer last wrote: not even a human agent may answer here.", permanent: true);
        }
        var (tagged, stillOutside) = await SendAsync(target, command, tagged: true, ct);
        return stillOutside
            ? SendOutcome.Failed(OutsideWindow, "Meta refused the reply even with the HUMAN_AGENT tag: " + tagged.ErrorMessage, permanent: true)
            : tagged;
    }

    /// <summary>
    /// A private reply (https://developers.facebook.com/docs/messenger-platform/discovery/private-replies): one message to the
    /// author of a comment (recipient comment_id) or of a visitor's post on the Page (recipient post_id: the post is the
    /// thread), within 7 days of it, once per comment. It opens the direct conversation, and Meta's answer names the author's
    /// id there (recipient_id), which the outcome carries. No tag can stretch it, and it is one message: files wait for the
    /// customer's answer.
    /// </summary>
    private async Task<SendOutcome> PrivateReplyAsync(SendApiTarget target, SendChannelMessage command, CancellationToken ct)
    {
        if (command.Attachments.Count > 0)
        {
            return SendOutcome.Failed("private-reply-files", "A private reply is one message of words: send the files once the customer has answered it.", permanent: true);
        }
        var answered = command.PrivateReplyTo!;
        var result = await GraphApi.PostAsync(http, target.Url, target.AccessToken, new
        {
            recipient = answered == command.ThreadKey ? (object)new { post_id = answered } : new { comment_id = answered },
            messaging_type = "RESPONSE",
            message = new { text = command.Text },
        }, ct);
        if (result.Code == WindowCode || result.Code == 100 && result.Subcode is 2018292 or 2534023)
        {
            return SendOutcome.Failed(OutsideWindow,
                "Meta refused the private reply: it takes one per comment or post, within 7 days of it. " + result.Message, permanent: true);
        }
        var outcome = GraphApi.Outcome(result, body => body.TryGetProperty("message_id", out var id) ? id.GetString() : null, TransientCodes);
        return result.Body is { ValueKind: System.Text.Json.JsonValueKind.Object } body && outcome.ProviderMessageId is not null
            && body.TryGetProperty("recipient_id", out var recipient) && recipient.GetString() is { Length: > 0 } opened
            && (target.AddressKind, opened) != (command.To.Kind, command.To.Value)
            ? outcome with { Recipient = new CustomerAddress { Kind = target.AddressKind, Value = opened, DisplayName = command.To.DisplayName } }
            : outcome;
    }

    /// <summary>The reply's parts in order; the first refused for the window answers for all (nothing after it was sent).</summary>
    private async Task<(SendOutcome Outcome, bool OutsideWindow)> SendAsync(SendApiTarget target, SendChannelMessage command, bool tagged, CancellationToken ct)
    {
        var outsideWindow = false;
        var outcome = await replyParts.SendAsync(command, ReplyParts.Of(command, _ => false), async part =>
        {
            var result = await GraphApi.PostAsync(http, target.Url, target.AccessToken, new
            {
                recipient = new { id = command.To.Value },
                messaging_type = tagged ? "MESSAGE_TAG" : "RESPONSE",
                tag = tagged ? "HUMAN_AGENT" : null,
                message = part.File is { } file
                    ? (object)new { attachment = new { type = AttachmentType(file), payload = new { url = file.Url, is_reusable = false } } }
                    : new { text = part.Text },
            }, ct);
            outsideWindow |= result.Code == WindowCode && result.Subcode is { } subcode && target.WindowSubcodes.Contains(subcode);
            return GraphApi.Outcome(result, body => body.TryGetProperty("message_id", out var id) ? id.GetString() : null, TransientCodes);
        }, way: tagged ? "tagged" : "");
        return (outcome, outsideWindow);
    }

    /// <summary>The Send API's attachment type for a file: image, video, audio, or file for anything else.</summary>
    private static string AttachmentType(MessageAttachment file) => ChannelFiles.Kind(file.ContentType) ?? "file";
}
