using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>Base for tests of the routing logic on a real database: a fresh database and engine per test.</summary>
public abstract class EngineTest : IAsyncLifetime
{
    private TestDatabase _database = null!;

    internal RoutingEngine Engine { get; private set; } = null!;

    internal TestDatabase Database => _database;

    private protected virtual void Configure(RoutingOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        _database = await RoutingDatabase.CreateAsync();
        Engine = RoutingEngine.Create(_database, configure: Configure);
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _database.DisposeAsync();
    }
}
