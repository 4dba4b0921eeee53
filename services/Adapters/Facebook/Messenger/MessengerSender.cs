using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>
/// Sends through the kit's <see cref="SendApi"/> as the Page the customer wrote to, with the Page's token; past the
/// window with the HUMAN_AGENT tag where Facebook:HumanAgentTag allows it (Meta refuses with (#10) subcode 2018278).
/// A private reply to a comment or visitor post goes as Meta's private reply; a public reply is a comment under it
/// (<see cref="CommentReplies"/>).
/// </summary>
internal sealed class MessengerSender(HttpClient http, IOptions<MessengerOptions> options, ReplyParts replyParts, TimeProvider time) : IChannelSender
{
    private static readonly HashSet<int> WindowSubcodes = [2018278];
    private readonly SendApi _api = new(http, replyParts, time);

    public string Channel => Channels.Facebook;

    public Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.PageAccessTokens.TryGetValue(command.ChannelAccount, out var token) || string.IsNullOrEmpty(token))
        {
            return Task.FromResult(SendOutcome.Failed("not-configured", $"No Facebook:PageAccessTokens:{command.ChannelAccount}; this Page cannot send.", permanent: true));
        }
        if (command.Visibility == MessageVisibility.Public)
        {
            return CommentReplies.SendAsync(http, $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/{Uri.EscapeDataString(command.ReplyToProviderMessageId ?? "")}/comments",
                token, command, ct);
        }
        var url = $"{config.GraphApiBaseUrl.TrimEnd('/')}/{config.GraphApiVersion}/{Uri.EscapeDataString(command.ChannelAccount)}/messages";
        return _api.SendAsync(new SendApiTarget(Channel, url, token, config.HumanAgentTag, "Facebook:HumanAgentTag", WindowSubcodes, "facebook"), command, ct);
    }
}
