using Npgsql;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Database;

/// <summary>The gateway's scripts under Database/Migrations, recorded in gateway_schema_migrations (it may share routing's database).</summary>
internal sealed class GatewayMigrations(NpgsqlDataSource dataSource, ILogger<GatewayMigrations> logger)
    : SchemaMigrations(dataSource, typeof(GatewayMigrations).Assembly, "Routing.AgentGateway.Database.Migrations.", "gateway_schema_migrations", LockKey, logger)
{
    // "gateway" in ASCII: replicas of the gateway take turns, independently of routing's migrations.
    private const long LockKey = 0x67617465776179;
}
