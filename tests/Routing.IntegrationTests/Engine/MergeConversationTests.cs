using Dapper;
using Routing.Contracts;
using Routing.Identity;
using Routing.Inbound;
using Microsoft.Extensions.DependencyInjection;

namespace Routing.IntegrationTests.Engine;

/// <summary>A person has one conversation at a time: what merging two customers with conversations does, and how unmerge undoes it.</summary>
public sealed class MergeConversationTests : EngineTest
{
    private CustomerMerger Merger => Engine.Services.GetRequiredService<CustomerMerger>();

    [Fact]
    public async Task Should_close_the_merged_customers_conversation_into_the_survivors_and_free_its_agents_slot()
    {
        var (email, phone) = await TwoOpenConversationsAsync();

        await Engine.MergeAsync(email.CustomerId, phone.CustomerId);

        var kept = await Engine.ConversationAsync(email.ConversationId);
        var absorbed = await Engine.ConversationAsync(phone.ConversationId);
        Assert.Equal(("open", "anna"), (kept.Status, kept.AgentId)); // both open: the older one is kept
        Assert.Equal(("closed", "merged", "routing"), (absorbed.Status, absorbed.CloseReason, absorbed.ClosedBy));
        Assert.Equal(0, (await Engine.AgentAsync("ben")).OpenCount);
        Assert.Equal([email.ConversationId, email.ConversationId], await ConversationsOfMessagesAsync("<m1@example.com>", "SM-1"));

        var merged = (await Engine.EventsAsync<CustomersMerged>()).Single();
        Assert.Equal((email.CustomerId, phone.CustomerId, email.ConversationId, phone.ConversationId, "anna"),
            (merged.SurvivorId, merged.MergedId, merged.KeptConversationId, merged.AbsorbedConversationId, merged.AgentId));
        Assert.Single(merged.MovedMessageIds);
        var closed = (await Engine.EventsAsync<ConversationClosed>()).Single();
        Assert.Equal((phone.ConversationId, "ben", CloseReasons.Merged), (closed.ConversationId, closed.AgentId, closed.Reason));

        // The person writes again from either address: the one conversation they have.
        var next = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.2");
        Assert.Equal((email.ConversationId, "anna"), (next.ConversationId, next.AgentId));
    }

    [Fact]
    public async Task Should_keep_the_conversation_that_has_an_agent_over_one_still_waiting()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var first = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        var waiting = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        Assert.Equal("queued", waiting.Status);

        // The survivor is the one with the waiting conversation; the merged customer's open one is kept, and becomes the survivor's.
        await Engine.MergeAsync(waiting.CustomerId, first.CustomerId);

        var kept = await Engine.ConversationAsync(first.ConversationId);
        Assert.Equal(("open", "anna", waiting.CustomerId), (kept.Status, kept.AgentId, kept.CustomerId));
        Assert.Equal("closed", (await Engine.ConversationAsync(waiting.ConversationId)).Status);
        Assert.Equal(1, (await Engine.AgentAsync("anna")).OpenCount);
        Assert.Equal([first.ConversationId, first.ConversationId], await ConversationsOfMessagesAsync("<m1@example.com>", "SM-1"));
    }

    [Fact]
    public async Task Should_give_the_merged_customers_only_conversation_to_the_survivor()
    {
        await Engine.AddAgentAsync("anna");
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        await Engine.CloseAsync(email.ConversationId);
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");

        await Engine.MergeAsync(email.CustomerId, phone.CustomerId);

        Assert.Equal(email.CustomerId, (await Engine.ConversationAsync(phone.ConversationId)).CustomerId);
        var next = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m2@example.com>");
        Assert.Equal(phone.ConversationId, next.ConversationId);
        // Nothing was closed by the merge (the one close is the test's own).
        Assert.Equal([email.ConversationId], (await Engine.EventsAsync<ConversationClosed>()).Select(c => c.ConversationId));
    }

    [Fact]
    public async Task Should_put_messages_back_and_reopen_the_absorbed_conversation_on_unmerge()
    {
        var (email, phone) = await TwoOpenConversationsAsync();
        await Engine.MergeAsync(email.CustomerId, phone.CustomerId);
        Engine.Clock.Advance(TimeSpan.FromMinutes(1));
        // Written after the merge, from the merged customer's address: in the person's one conversation.
        var after = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-2");
        Assert.Equal(email.ConversationId, after.ConversationId);

        Assert.NotNull(await Merger.UnmergeAsync(email.CustomerId, null, CancellationToken.None));

        // SM-1 goes back where it was; SM-2 stays where the agent saw it, but is the restored customer's message.
        Assert.Equal([phone.ConversationId, email.ConversationId], await ConversationsOfMessagesAsync("SM-1", "SM-2"));
        Assert.Equal([phone.CustomerId, phone.CustomerId], await CustomersOfMessagesAsync("SM-1", "SM-2"));
        var reopened = await Engine.ConversationAsync(phone.ConversationId);
        Assert.Equal(("open", "ben", phone.CustomerId), (reopened.Status, reopened.AgentId, reopened.CustomerId));
        Assert.Equal(RoutingTriggers.Unmerged, (await Engine.DecisionsAsync(phone.ConversationId)).Last().Trigger);
        Assert.Equal(email.CustomerId, (await Engine.ConversationAsync(email.ConversationId)).CustomerId);

        var unmerged = (await Engine.EventsAsync<CustomersUnmerged>()).Single();
        Assert.Equal((email.CustomerId, phone.CustomerId), (unmerged.SurvivorId, unmerged.RestoredId));
        Assert.Equal([phone.ConversationId], unmerged.ReopenedConversationIds);
        Assert.Equal([phone.ConversationId], unmerged.MovedMessages.Select(m => m.ConversationId));

        // Each is their own person again.
        var next = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-3");
        Assert.Equal(phone.ConversationId, next.ConversationId);
    }

    [Fact]
    public async Task Should_give_a_conversation_started_after_the_merge_back_to_whoever_started_it()
    {
        await Engine.AddAgentAsync("anna");
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        await Engine.CloseAsync(email.ConversationId);
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        await Engine.CloseAsync(phone.ConversationId);
        await Engine.MergeAsync(email.CustomerId, phone.CustomerId);
        Engine.Clock.Advance(TimeSpan.FromMinutes(1));
        var started = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567", "wamid.1");
        Assert.Equal(email.CustomerId, started.CustomerId);

        Assert.NotNull(await Merger.UnmergeAsync(email.CustomerId, phone.CustomerId, CancellationToken.None));

        Assert.Equal(phone.CustomerId, (await Engine.ConversationAsync(started.ConversationId)).CustomerId);
        Assert.Equal([phone.CustomerId], await CustomersOfMessagesAsync("wamid.1"));
        var owners = (await Engine.EventsAsync<CustomersUnmerged>()).Single().Conversations;
        Assert.Contains(owners, o => o.ConversationId == started.ConversationId && o.CustomerId == phone.CustomerId);
    }

    /// <summary>maria writes by email (anna takes it), then a minute later from her phone, a customer of its own (ben takes it).</summary>
    private async Task<(InboundOutcome Email, InboundOutcome Phone)> TwoOpenConversationsAsync()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com", "<m1@example.com>");
        await Engine.AddAgentAsync("ben", capacity: 1);
        Engine.Clock.Advance(TimeSpan.FromMinutes(1));
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567", "SM-1");
        Assert.Equal(("anna", "ben"), (email.AgentId, phone.AgentId));
        return (email, phone);
    }

    private async Task<IReadOnlyList<Guid>> ConversationsOfMessagesAsync(params string[] providerIds) =>
        await ColumnOfMessagesAsync("conversation_id", providerIds);

    private async Task<IReadOnlyList<Guid>> CustomersOfMessagesAsync(params string[] providerIds) =>
        await ColumnOfMessagesAsync("customer_id", providerIds);

    private async Task<IReadOnlyList<Guid>> ColumnOfMessagesAsync(string column, string[] providerIds)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string ProviderId, Guid Value)>(
            $"select provider_message_id, {column} from messages where provider_message_id = any(@providerIds)", new { providerIds })).ToList();
        return providerIds.Select(p => rows.Single(r => r.ProviderId == p).Value).ToList();
    }
}
