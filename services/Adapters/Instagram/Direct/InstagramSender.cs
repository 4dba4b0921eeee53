using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Instagram.Direct;

/// <summary>
/// Sends through the kit's <see cref="SendApi"/> (POST /{version}/me/messages with the account's token: "me" is the Page
/// linked to the Instagram account), to the customer's IGSID; past the window with the HUMAN_AGENT tag where
/// Instagram:HumanAgentTag allows it (Meta refuses with (#10) subcode 2534022). A private reply to a comment goes as Meta's
/// private reply (recipient comment_id); a public reply is a reply under the comment (<see cref="CommentReplies"/>).
/// </summary>
internal sealed class InstagramSender(HttpClient http, IOptions<InstagramOptions> options, ReplyParts replyParts, TimeProvider time) : IChannelSender
{
    private static readonly HashSet<int> WindowSubcodes = [2534022, 2018278];
    private readonly SendApi _api = new(http, replyParts, time);

    public string Channel => Channels.Instagram;

    public Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.AccessTokens.TryGetValue(command.ChannelAccount, out var token) || string.IsNullOrEmpty(token))
        {
            return Task.FromResult(SendOutcome.Failed("not-configured", $"No Instagram:AccessTokens:{command.ChannelAccount}; this account cannot send.", permanent: true));
        }
        if (command.Visibility == MessageVisibility.Public)
        {
            return CommentReplies.SendAsync(http, $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/{Uri.EscapeDataString(command.ReplyToProviderMessageId ?? "")}/replies",
                token, command, ct);
        }
        var url = $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/me/messages";
        return _api.SendAsync(new SendApiTarget(Channel, url, token, config.HumanAgentTag, "Instagram:HumanAgentTag", WindowSubcodes, "instagram"), command, ct);
    }
}
