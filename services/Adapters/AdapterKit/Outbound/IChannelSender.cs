using Routing.Contracts;

namespace Routing.Adapters.Outbound;

/// <summary>A channel's outbound half: sends one agent reply through the provider's API.</summary>
public interface IChannelSender
{
    /// <summary>The channel this sender serves; its commands arrive on the queue "{channel}-send-channel-message".</summary>
    string Channel { get; }

    /// <summary>
    /// Sends through a typed HttpClient whose resilience pipeline (timeouts, retries honouring
    /// Retry-After, circuit breaker) has already run its course: the provider's final answer, mapped.
    /// </summary>
    Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct);
}
