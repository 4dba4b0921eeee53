using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Events;
using Routing.Contracts;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The JSON Schemas integrators build on (contracts/agent-events) are generated from the records the gateway
/// serializes, and real deliveries, made by the running gateway from routing's and the adapters' events, obey them.
/// Regenerate the files after changing an event's record: UPDATE_AGENT_EVENT_SCHEMAS=1 dotnet test --filter AgentEventSchemaTests
/// </summary>
public sealed class AgentEventSchemaTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private static readonly string Directory = Path.Combine(RepositoryRoot(), "contracts", "agent-events");
    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new();

    public static TheoryData<string> Types() => [.. EventTypes.DataTypes.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Types))]
    public void The_published_schema_is_the_one_the_records_give(string type)
    {
        var path = Path.Combine(Directory, type + ".schema.json");
        var generated = AgentEventSchemas.Text(type);
        if (Environment.GetEnvironmentVariable("UPDATE_AGENT_EVENT_SCHEMAS") == "1")
        {
            File.WriteAllText(path, generated);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run with UPDATE_AGENT_EVENT_SCHEMAS=1 to write it");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), JsonNode.Parse(generated)),
            $"{path} differs from what the records give: run with UPDATE_AGENT_EVENT_SCHEMAS=1 and review the change (integrators build on it)");
        Assert.Equal("\"" + type + "\"", JsonNode.Parse(generated)!["properties"]!["type"]!["const"]!.ToJsonString());
    }

    [Fact]
    public void Every_published_schema_names_an_event_the_gateway_writes()
    {
        var published = System.IO.Directory.EnumerateFiles(Directory, "*.schema.json").Select(p => Path.GetFileName(p)[..^".schema.json".Length]);
        Assert.Equal(EventTypes.DataTypes.Keys.Order(StringComparer.Ordinal), published.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_schema_refuses_an_event_that_breaks_it()
    {
        var assigned = Schema(EventTypes.ConversationReleased);
        var good = """{"type":"conversation.released","timestamp":"2026-12-02T09:00:00Z","data":{"conversationId":"0193a1b2-0000-7000-8000-000000000001","reason":"offer-expired","reasonText":"the offer expired before you accepted it","releasedAt":"2026-12-02T09:00:00Z"}}""";
        Assert.True(Evaluate(assigned, good).IsValid);
        Assert.False(Evaluate(assigned, good.Replace("\"reasonText\":\"the offer expired before you accepted it\",", "", StringComparison.Ordinal)).IsValid);
        Assert.False(Evaluate(assigned, good.Replace("conversation.released", "conversation.closed", StringComparison.Ordinal)).IsValid);
        Assert.False(Evaluate(assigned, good.Replace("0193a1b2-0000-7000-8000-000000000001", "not-a-uuid", StringComparison.Ordinal)).IsValid);
    }

    [Fact]
    public async Task Real_deliveries_of_every_event_obey_their_schemas()
    {
        var agent = await gateway.AgentAsync(webhook: true);
        var conversation = await gateway.AssignAsync(agent.AgentId);
        await WebhookAsync(EventTypes.ConversationAssigned, conversation.Id);
        await gateway.Broker.PublishAsync(conversation.Message("Any news?", agent.AgentId, "open"));
        await WebhookAsync(EventTypes.MessageReceived, conversation.Id);

        using (var reply = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/replies", new { text = "It ships today." }))
        {
            reply.EnsureSuccessStatusCode();
            var replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await gateway.Broker.PublishAsync(new OutboundMessageFailed
            {
                CommandId = replyId, ConversationId = conversation.Id, Channel = "sms", ErrorCode = "30007", ErrorMessage = "Carrier violation", Permanent = true,
                FailedAt = DateTimeOffset.UtcNow,
            });
        }
        await WebhookAsync(EventTypes.ReplyStatus, conversation.Id);
        await gateway.Broker.PublishAsync(new ConversationClosed
        {
            ConversationId = conversation.Id, CustomerId = conversation.CustomerId, AgentId = agent.AgentId, Channel = "sms", ClosedBy = agent.AgentId,
            Reason = "resolved", ClosedAt = DateTimeOffset.UtcNow,
        });
        await WebhookAsync(EventTypes.ConversationClosed, conversation.Id);

        var offered = await gateway.AssignAsync(agent.AgentId, requiresAccept: true);
        await WebhookAsync(EventTypes.ConversationAssigned, offered.Id);
        await gateway.Broker.PublishAsync(new ConversationReleased
        {
            ConversationId = offered.Id, CustomerId = offered.CustomerId, AgentId = agent.AgentId, Reason = RoutingTriggers.OfferExpired,
            DecisionId = Guid.NewGuid(), ReleasedAt = DateTimeOffset.UtcNow,
        });
        await WebhookAsync(EventTypes.ConversationReleased, offered.Id);
        var transferId = Guid.NewGuid();
        await gateway.Broker.PublishAsync(new ConversationTransferOffered
        {
            TransferId = transferId, ConversationId = offered.Id, CustomerId = offered.CustomerId, FromAgentId = "colleague", ToAgentId = agent.AgentId,
            Channel = "sms", Note = "Spanish speaker", CustomerDisplayName = "Maria", DecisionId = Guid.NewGuid(),
            RecentMessages = [new ConversationMessage
            {
                MessageId = Guid.NewGuid(), ConversationId = offered.Id, Channel = "sms", Sender = new CustomerAddress { Kind = "phone", Value = "+393331234567" },
                Text = "Hola", ReceivedAt = DateTimeOffset.UtcNow,
            }],
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(2), OfferedAt = DateTimeOffset.UtcNow,
        });
        await WebhookAsync(EventTypes.TransferOffered, offered.Id);
        await gateway.Broker.PublishAsync(new ConversationTransferEnded
        {
            TransferId = transferId, ConversationId = offered.Id, RequestedBy = "colleague", FromAgentId = "colleague", ToAgentId = agent.AgentId, Warm = true,
            Outcome = TransferOutcomes.Expired, Reason = $"{agent.AgentId} did not answer in time", DecisionId = Guid.NewGuid(), EndedAt = DateTimeOffset.UtcNow,
        });
        await WebhookAsync(EventTypes.TransferEnded, offered.Id);
        await gateway.Broker.PublishAsync(new ConversationHeld
        {
            ConversationId = offered.Id, CustomerId = offered.CustomerId, Channel = "sms", HeldFor = [agent.AgentId, "colleague"],
            HoldUntil = DateTimeOffset.UtcNow.AddMinutes(2), Reason = RoutingReasons.PreferredBusy, DecisionId = Guid.NewGuid(), HeldAt = DateTimeOffset.UtcNow,
        });
        await WebhookAsync(EventTypes.ConversationHeld, offered.Id);
        var held = gateway.Receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Single(e => e.GetProperty("type").GetString() == EventTypes.ConversationHeld).GetProperty("data");
        Assert.Equal([agent.AgentId, "colleague"], held.GetProperty("heldFor").EnumerateArray().Select(a => a.GetString()));
        Assert.True(held.GetProperty("holdUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        using (var followUp = await agent.Http.PostAsJsonAsync($"/conversations/{conversation.Id}/follow-ups", new { text = "All fine with the order?", inDays = 3 }))
        {
            followUp.EnsureSuccessStatusCode();
        }
        await WebhookAsync(EventTypes.FollowUp, conversation.Id);

        var delivered = gateway.Receiver.Requests.Select(r => r.Body)
            .Where(b => System.Text.Encoding.UTF8.GetString(b) is var text
                && (text.Contains(conversation.Id.ToString(), StringComparison.Ordinal) || text.Contains(offered.Id.ToString(), StringComparison.Ordinal)))
            .ToList();
        var types = delivered.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("type").GetString()).ToHashSet();
        Assert.Equal(EventTypes.DataTypes.Keys.Where(t => t != EventTypes.Notice).Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
        foreach (var body in delivered)
        {
            AssertObeys(JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()!, body);
        }

        // Notices go only to the tool where the agent acted, never to webhooks (queued here after the webhooks were read): the
        // queued delivery is what a tool gets.
        var store = gateway.Services.GetRequiredService<DeliveryStore>();
        var target = (await gateway.Services.GetRequiredService<TargetStore>().TargetsAsync(agent.AgentId, CancellationToken.None)).Single();
        var source = Guid.NewGuid();
        await store.EnqueueNoticeAsync(target.Id, source, conversation.Id, "This conversation is closed: your message was not sent.", DateTimeOffset.UtcNow,
            CancellationToken.None);
        await using (var connection = await gateway.Database.DataSource.OpenConnectionAsync())
        {
            var notice = await connection.QuerySingleAsync<byte[]>("select body from gateway_deliveries where source_message_id = @source", new { source });
            AssertObeys(EventTypes.Notice, notice);
        }
    }

    private static void AssertObeys(string type, byte[] body)
    {
        var result = Evaluate(Schema(type), System.Text.Encoding.UTF8.GetString(body));
        Assert.True(result.IsValid, $"a real {type} event breaks its schema:\n" + string.Join("\n", (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    private static EvaluationResults Evaluate(JsonSchema schema, string json) =>
        schema.Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

    private static JsonSchema Schema(string type) =>
        Schemas.GetOrAdd(type, t => JsonSchema.FromText(File.ReadAllText(Path.Combine(Directory, t + ".schema.json"))));

    private async Task WebhookAsync(string type, Guid conversationId) =>
        await Eventually.TrueAsync($"a {type} webhook about {conversationId}", () => Task.FromResult(gateway.Receiver.Requests.Any(r =>
            JsonDocument.Parse(r.Body).RootElement is var e && e.GetProperty("type").GetString() == type
            && e.GetProperty("data").GetProperty("conversationId").GetGuid() == conversationId)));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }
}
