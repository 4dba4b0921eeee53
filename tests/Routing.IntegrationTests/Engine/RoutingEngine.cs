using Routing.Assignment;
using Routing.Transfers;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Routing.Agents;
using Routing.Contracts;
using Routing.Conversations;
using Routing.Database;
using Routing.Inbound;
using Routing.Outbox;
using Routing.Testing;
using Routing.Timers;
using System.Text.Json;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// The routing service's logic wired as in production, on a real PostgreSQL database, with a fake
/// clock and no broker: events are read from the outbox where the service records them.
/// </summary>
internal sealed class RoutingEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RoutingEngine(ServiceProvider services, FakeTimeProvider clock)
    {
        _services = services;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }
    public InboundRouter Inbound => _services.GetRequiredService<InboundRouter>();
    public AgentService Agents => _services.GetRequiredService<AgentService>();
    public ConversationCommands Commands => _services.GetRequiredService<ConversationCommands>();
    public TimerSweeper Sweeper => _services.GetRequiredService<TimerSweeper>();
    public RoutingDb Db => _services.GetRequiredService<RoutingDb>();
    public IServiceProvider Services => _services;

    public static RoutingEngine Create(TestDatabase database, FakeTimeProvider? clock = null, Action<RoutingOptions>? configure = null)
    {
        clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddMetrics()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(database.DataSource)
            .AddRoutingCore() // the production registrations; no host here, so its background services never start
            .PostConfigure<RoutingOptions>(o => configure?.Invoke(o))
            .BuildServiceProvider();
        return new RoutingEngine(services, clock);
    }

    public async Task AddAgentAsync(string id, int capacity = 2, string[]? channels = null, string presence = AgentPresences.Available, bool requiresAccept = false,
        string[]? teams = null, string[]? languages = null, string[]? skills = null)
    {
        var created = await Agents.CreateAsync(new AgentRow
        {
            Id = id,
            Name = id,
            Capacity = capacity,
            Channels = channels ?? ["email", "sms", "whatsapp", "facebook", "twitter"],
            Presence = presence,
            RequiresAccept = requiresAccept,
            Teams = teams ?? [],
            Languages = languages ?? [],
            Skills = skills ?? [],
        }, CancellationToken.None);
        Assert.NotNull(created);
    }

    public Task<InboundOutcome> ReceiveAsync(InboundMessageReceived message) => Inbound.RouteAsync(message, CancellationToken.None);

    public Task<InboundOutcome> ReceiveAsync(string channel, string kind, string value, string? providerId = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        ReceiveAsync(TestMessages.Inbound(channel, kind, value, providerId, at: Clock.GetUtcNow(), metadata: metadata));

    public async Task SetOwnersAsync(Guid customerId, params string[] agentIds)
    {
        await using var tx = await Db.BeginAsync(CancellationToken.None);
        await Database.CustomerStore.SetPreferredAgentsAsync(tx.Connection, tx.Transaction, customerId, agentIds, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Merges <paramref name="merged"/> into <paramref name="survivor"/> as the API does: both locked, then the merger.</summary>
    public async Task MergeAsync(Guid survivor, Guid merged)
    {
        await using var tx = await Db.BeginAsync(CancellationToken.None);
        await CustomerStore.LockAsync(tx.Connection, tx.Transaction, [survivor, merged], CancellationToken.None);
        await _services.GetRequiredService<Identity.CustomerMerger>().MergeAsync(tx, survivor, merged, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    public async Task<ConversationRow> ConversationAsync(Guid id)
    {
        await using var tx = await Db.BeginAsync(CancellationToken.None);
        return await ConversationStore.GetAsync(tx, id, CancellationToken.None) ?? throw new InvalidOperationException($"No conversation {id}");
    }

    public async Task<IReadOnlyList<DecisionRow>> DecisionsAsync(Guid conversationId)
    {
        await using var tx = await Db.BeginAsync(CancellationToken.None);
        return await ConversationStore.DecisionsAsync(tx, conversationId, CancellationToken.None);
    }

    public async Task<AgentRow> AgentAsync(string id)
    {
        await using var tx = await Db.BeginAsync(CancellationToken.None);
        return await AgentStore.GetAsync(tx, id, CancellationToken.None) ?? throw new InvalidOperationException($"No agent {id}");
    }

    /// <summary>The events of type T recorded so far, in order.</summary>
    public async Task<IReadOnlyList<T>> EventsAsync<T>() where T : class
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        var payloads = await connection.QueryAsync<string>(
            "select payload::text from outbox where message_type = @type order by id", new { type = typeof(T).Name });
        return payloads.Select(p => JsonSerializer.Deserialize<T>(p, ContractTypes.Json)!).ToList();
    }

    public Task CloseAsync(Guid conversationId) => Commands.CloseAsync(conversationId, "test", null, messagesSeen: null, CancellationToken.None);

    public ConversationTransfers Transfers => _services.GetRequiredService<ConversationTransfers>();

    /// <summary>An agent's transfer, as the gateway sends it (<paramref name="requestedBy"/> starting operator: is an operator's, through the API).</summary>
    public Task<TransferResult> TransferAsync(Guid conversationId, string requestedBy, string? toAgent = null, string? toTeam = null, bool warm = false,
        string? note = null, Guid? transferId = null) =>
        Transfers.TransferAsync(new TransferConversation
        {
            TransferId = transferId ?? Guid.NewGuid(), ConversationId = conversationId, RequestedBy = requestedBy, ToAgentId = toAgent, ToTeam = toTeam,
            Warm = warm, Note = note, RequestedAt = Clock.GetUtcNow(),
        }, asAgent: !requestedBy.StartsWith("operator:", StringComparison.Ordinal), CancellationToken.None);

    public Task SetPresenceAsync(string agentId, string presence) => Agents.SetPresenceAsync(agentId, presence, null, CancellationToken.None);

    /// <summary>Moves the clock and runs one sweep, as a replica's background loop would.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await Sweeper.SweepOnceAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
