using Routing.Contracts;

namespace Routing.Adapters.Outbound;

public static class OutboundText
{
    /// <summary>
    /// The agent's text with each attachment's URL on a line of its own: for channels whose API sends media
    /// as separate messages (one provider id each), so one command stays one message.
    /// </summary>
    public static string WithAttachmentLinks(this SendChannelMessage command) =>
        string.Join("\n", command.Attachments.Where(a => a.Url is not null).Select(a => a.Url!).Prepend(command.Text));
}
