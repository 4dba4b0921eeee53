using MassTransit;
using Routing.Contracts;
using Routing.Database;
using Routing.Messaging;

namespace Routing.Identity;

/// <summary>
/// An agent's note and tags on the customer of a conversation (from the agent gateway: its API, Slack, email), kept with the
/// customer for whoever serves them next. Only an agent who serves or served the conversation may; the same annotation id
/// again is written once. Anything else goes to the error queue with the field at fault; the note's text is never logged.
/// </summary>
internal sealed class AnnotateCustomerConsumer(RoutingDb db, ILogger<AnnotateCustomerConsumer> logger) : IConsumer<AnnotateCustomer>
{
    public async Task Consume(ConsumeContext<AnnotateCustomer> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.AgentId))
        {
            throw new InvalidMessageException("agentId", "is required");
        }
        if (m.AnnotationId == Guid.Empty)
        {
            throw new InvalidMessageException("annotationId", "is required");
        }
        if (CustomerAnnotations.Read(m.Note, m.AddTags, m.RemoveTags, m.CustomerName, out var field, out var problem) is not { } annotation)
        {
            throw new InvalidMessageException(field!, problem!);
        }
        await using var tx = await db.BeginAsync(context.CancellationToken);
        if (await NoteStore.CustomerServedByAsync(tx, m.ConversationId, m.AgentId, context.CancellationToken) is not { } customerId)
        {
            throw new InvalidMessageException("conversationId", $"is not a conversation agent '{m.AgentId}' serves or served");
        }
        await NoteStore.AnnotateAsync(tx, customerId, m.AnnotationId, m.AgentId, m.ConversationId, annotation.Note, annotation.AddTags, annotation.RemoveTags,
            annotation.Name, context.CancellationToken);
        await tx.CommitAsync(context.CancellationToken);
        logger.LogInformation("Agent {AgentId} annotated customer {CustomerId}: {Note}, +{Added} -{Removed} tags{Named}", m.AgentId, customerId,
            annotation.Note is null ? "no note" : "a note", annotation.AddTags.Count, annotation.RemoveTags.Count, annotation.Name is null ? "" : ", named");
    }
}
