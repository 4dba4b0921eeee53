using Routing.Contracts;

namespace Routing.Adapters.Webhooks;

/// <summary>
/// Told of the messages of every delivery the webhook accepted (published or spooled), after it answered for them; for work
/// that must not delay or endanger the answer, such as looking up the sender's profile. It must return at once.
/// </summary>
public interface IWebhookObserver
{
    void Accepted(IReadOnlyList<InboundMessageReceived> messages);
}
