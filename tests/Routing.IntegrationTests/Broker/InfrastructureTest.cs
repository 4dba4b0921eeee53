using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>A fresh database and RabbitMQ virtual host per test; the test starts the routing service its own way.</summary>
public abstract class InfrastructureTest : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;
    protected TestBroker Broker { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Database = await RoutingDatabase.CreateAsync();
        Broker = await TestBroker.CreateAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}
