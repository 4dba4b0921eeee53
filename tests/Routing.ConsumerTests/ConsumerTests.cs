using Routing.Messaging;
using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Routing.Contracts;
using Routing.Inbound;
using Routing.Outbox;
using Routing.Testing;

namespace Routing.ConsumerTests;

/// <summary>The consumers and their definitions on MassTransit's in-memory test harness, over a real database.</summary>
public sealed class ConsumerTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _database = await RoutingDatabase.CreateAsync();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddMetrics()
            .AddSingleton(_database.DataSource)
            .AddRoutingCore()
            .AddMassTransitTestHarness(x =>
            {
                x.AddRoutingConsumers();
                // These consumers talk to a real database: a cold first consume takes longer than the
                // harness's default idea of "inactive", after which Any() gives up and answers false.
                x.SetTestTimeouts(testTimeout: Eventually.Patience, testInactivityTimeout: TimeSpan.FromSeconds(5));
            })
            .BuildServiceProvider(true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
        await _services.GetRequiredService<Agents.AgentService>().CreateAsync(new Database.AgentRow
        {
            Id = "anna", Name = "Anna", Capacity = 2, Channels = ["sms"], Presence = "available",
        }, CancellationToken.None);
    }

    [Fact]
    public async Task Should_consume_an_inbound_message_and_publish_its_events_from_the_outbox()
    {
        var message = TestMessages.Inbound("sms", "phone", "+14155552671", "SM-harness");

        await _harness.Bus.Publish(message);

        var consumer = _harness.GetConsumerHarness<InboundMessageReceivedConsumer>();
        Assert.True(await consumer.Consumed.Any<InboundMessageReceived>(m => m.Context.Message.MessageId == message.MessageId));
        await WaitUntilOutboxIsEmptyAsync();
        Assert.True(await _harness.Published.Any<ConversationAssigned>(m => m.Context.Message.AgentId == "anna"));
        Assert.True(await _harness.Published.Any<MessageRouted>(m => m.Context.Message.MessageId == message.MessageId));
    }

    [Fact]
    public async Task Should_fault_an_invalid_message_at_once_naming_the_field()
    {
        var invalid = TestMessages.Inbound("sms", "phone", "+14155552671", "SM-bad") with { ChannelAccount = "" };

        await _harness.Bus.Publish(invalid);

        Assert.True(await _harness.Published.Any<Fault<InboundMessageReceived>>());
        var fault = _harness.Published.Select<Fault<InboundMessageReceived>>().First().Context.Message;
        Assert.Contains("channelAccount", fault.Exceptions[0].Message);
        Assert.Equal(typeof(InvalidMessageException).FullName, fault.Exceptions[0].ExceptionType);
    }

    [Fact]
    public async Task Should_fault_a_command_for_an_unknown_conversation()
    {
        await _harness.Bus.Publish(new AgentDeclinedConversation { ConversationId = Guid.NewGuid(), AgentId = "anna", DeclinedAt = DateTimeOffset.UtcNow });
        await _harness.Bus.Publish(new AgentPresenceChanged { AgentId = "anna", Status = "sleeping", ChangedAt = DateTimeOffset.UtcNow });

        Assert.True(await _harness.Published.Any<Fault<AgentDeclinedConversation>>());
        Assert.True(await _harness.Published.Any<Fault<AgentPresenceChanged>>());
        var presenceFault = _harness.Published.Select<Fault<AgentPresenceChanged>>().First().Context.Message;
        Assert.Contains("sleeping", presenceFault.Exceptions[0].Message);
    }

    /// <summary>
    /// The recorded events leave the outbox through the dispatcher (the hosted one, or this call); a row
    /// is deleted only after its publish completed, so an empty outbox means the harness has them all.
    /// </summary>
    private async Task WaitUntilOutboxIsEmptyAsync()
    {
        var dispatcher = _services.GetRequiredService<OutboxDispatcher>();
        await Eventually.TrueAsync("the outbox to be empty", async () =>
        {
            await dispatcher.DispatchBatchAsync(CancellationToken.None);
            await using var connection = await _database.DataSource.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<long>("select count(*) from outbox") == 0;
        });
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }
}
