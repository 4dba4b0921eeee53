using MassTransit;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Outbound;

/// <summary>
/// Sends an agent's reply and reports the result: OutboundMessageSent, or OutboundMessageFailed with the
/// provider's code and whether it is permanent. Transport trouble that outlived the HTTP resilience
/// pipeline is reported rather than retried forever: as a transient failure when the request never reached the
/// provider (no connection, circuit open), and as an unknown outcome when it did and no answer came back.
/// </summary>
public sealed class SendChannelMessageConsumer(
    IChannelSender sender, RecentSends recent, SendMetrics metrics, TimeProvider time, ILogger<SendChannelMessageConsumer> logger)
    : IConsumer<SendChannelMessage>
{
    private static readonly Guid LinkNamespace = new("6f1d2c3b-8a4e-4f5d-9b7c-2e1a0d3c4b5f");

    public async Task Consume(ConsumeContext<SendChannelMessage> context)
    {
        var command = context.Message;
        SendOutcome outcome;
        if (!string.Equals(command.Channel, sender.Channel, StringComparison.OrdinalIgnoreCase))
        {
            outcome = SendOutcome.Failed("wrong-channel", $"This adapter sends {sender.Channel}, not {command.Channel}.", permanent: true);
        }
        else if (command.Attachments.FirstOrDefault(f => !Uri.TryCreate(f.Url, UriKind.Absolute, out _)) is { } unlinked)
        {
            outcome = SendOutcome.Failed("file-unavailable", $"{unlinked.FileName ?? unlinked.ContentType} has no link to fetch it from.", permanent: true);
        }
        else if (ChannelFiles.Refusal(sender.Channel, command.Attachments) is { } refusal)
        {
            // the gateway checks the same rules when the agent replies; a command from elsewhere is held to them here
            outcome = SendOutcome.Failed("file-refused", $"The files cannot go on {sender.Channel}: {refusal}.", permanent: true);
        }
        else
        {
            bool repeated;
            // Not the consume's token: MassTransit cancels it when the broker connection drops, and a request the provider may
            // already have taken must run to its answer, which RecentSends keeps for the redelivery (cancelled, it was
            // forgotten and the command went out twice: make chaos, broker-kill). The HTTP pipeline's timeouts bound it.
            (outcome, repeated) = await recent.SendOnceAsync(command, () => SendAsync(command, CancellationToken.None));
            if (repeated)
            {
                logger.LogInformation("Command {CommandId} on {Channel} came again: answered from its first send, not sent twice", command.CommandId, sender.Channel);
            }
            else
            {
                metrics.Sent(sender.Channel, outcome);
            }
        }

        if (outcome.ProviderMessageId is { } id)
        {
            if (outcome.Recipient is { } recipient && (recipient.Kind, recipient.Value) != (command.To.Kind, command.To.Value))
            {
                // the provider told who the customer is on another address (a private reply's Messenger id): routing joins them
                await context.Publish(new CustomerAddressLinked
                {
                    LinkId = MessageIds.NameBased(LinkNamespace, command.CommandId.ToString()), ConversationId = command.ConversationId,
                    Channel = sender.Channel, Known = command.To, Address = recipient, LinkedAt = time.GetUtcNow(),
                });
            }
            await context.Publish(new OutboundMessageSent
            {
                CommandId = command.CommandId, ConversationId = command.ConversationId, Channel = sender.Channel,
                ProviderMessageId = id, SentAt = time.GetUtcNow(), AgentId = command.AgentId,
            });
            return;
        }
        logger.LogWarning("Sending command {CommandId} on {Channel} failed: {Code} {Message} (permanent: {Permanent}, outcome unknown: {Uncertain})",
            command.CommandId, sender.Channel, outcome.ErrorCode, PersonalData.Redact(outcome.ErrorMessage), outcome.Permanent, outcome.Uncertain);
        await context.Publish(new OutboundMessageFailed
        {
            CommandId = command.CommandId, ConversationId = command.ConversationId, Channel = sender.Channel,
            ErrorCode = outcome.ErrorCode ?? "unknown", ErrorMessage = outcome.ErrorMessage ?? "", Permanent = outcome.Permanent,
            OutcomeUnknown = outcome.Uncertain, FailedAt = time.GetUtcNow(),
        });
    }

    private async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        try
        {
            return await sender.SendAsync(command, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return ex switch
            {
                BrokenCircuitException => SendOutcome.Failed("circuit-open", ex.Message, permanent: false),
                HttpRequestException http when ProviderResilience.NeverSent(http) => SendOutcome.Failed("unreachable", ex.Message, permanent: false),
                HttpRequestException => SendOutcome.Unknown("connection-lost", ex.Message),
                _ => SendOutcome.Unknown("timeout", ex.Message),
            };
        }
    }
}
