using Microsoft.Extensions.Logging.Abstractions;
using Routing.Database;

namespace Routing.Testing;

/// <summary>A fresh database with routing's schema, for one test class.</summary>
public static class RoutingDatabase
{
    public static Task<TestDatabase> CreateAsync() =>
        TestDatabase.CreateAsync("routing", dataSource => new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None));
}
