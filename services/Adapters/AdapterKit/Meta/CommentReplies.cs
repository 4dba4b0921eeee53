using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Meta;

/// <summary>
/// A public reply under a customer's comment or post, as the Page or the Instagram account: Facebook's
/// POST /{version}/{comment-or-post-id}/comments with {"message"} (and one photo as "attachment_url", which Meta fetches
/// from the gateway), Instagram's POST /{version}/{comment-id}/replies with {"message"} (words only). The answer's "id" is
/// the new comment's, the provider message id. A reply longer than the channel takes (<see cref="PublicReplies"/>) fails
/// without asking Meta.
/// </summary>
public static class CommentReplies
{
    public static async Task<SendOutcome> SendAsync(HttpClient http, string url, string accessToken, SendChannelMessage command, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(command.ReplyToProviderMessageId))
        {
            return SendOutcome.Failed("no-post", "A public reply answers a comment or post: replyToProviderMessageId is required.", permanent: true);
        }
        if (PublicReplies.Refusal(command.Channel, command.Text) is { } refusal)
        {
            return SendOutcome.Failed("too-long", $"Not posted: {refusal}.", permanent: true);
        }
        var photos = command.Attachments.Where(a => ChannelFiles.Kind(a.ContentType) == "image").ToList();
        if (command.Attachments.Count > (command.Channel == Channels.Facebook ? 1 : 0) || photos.Count != command.Attachments.Count)
        {
            return SendOutcome.Failed("public-reply-files", command.Channel == Channels.Facebook
                ? "A comment carries one photo at most."
                : "An Instagram comment carries words only.", permanent: true);
        }
        var result = await GraphApi.PostAsync(http, url, accessToken, new { message = command.Text, attachment_url = photos.FirstOrDefault()?.Url }, ct);
        return GraphApi.Outcome(result, body => body.TryGetProperty("id", out var id) ? id.GetString() : null, EmptyCodes);
    }

    private static readonly HashSet<int> EmptyCodes = [];
}
