using Npgsql;
using Routing.ServiceDefaults;

namespace Routing.Database;

/// <summary>Routing's scripts under Database/Migrations, recorded in schema_migrations.</summary>
internal sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
    : SchemaMigrations(dataSource, typeof(MigrationRunner).Assembly, "Routing.Database.Migrations.", "schema_migrations", LockKey, logger)
{
    // An arbitrary constant shared by every replica: "routing" in ASCII.
    private const long LockKey = 0x726f7574696e67;
}
