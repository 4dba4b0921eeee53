using Npgsql;

namespace Routing.Testing;

/// <summary>A fresh PostgreSQL database for one test class, migrated by the service under test, dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private readonly string _name;

    private TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <param name="prefix">Names the database after the service it is for ("routing_test_…").</param>
    /// <param name="migrate">Brings the empty database to the service's schema.</param>
    public static async Task<TestDatabase> CreateAsync(string prefix, Func<NpgsqlDataSource, Task> migrate)
    {
        var admin = await TestInfrastructure.PostgresAsync();
        var name = prefix + "_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 60 }.ConnectionString;
        var database = new TestDatabase(admin, name, connectionString);
        await migrate(database.DataSource);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await DropAsync(_adminConnectionString, _name);
    }

    /// <summary>Drops a test database, its sessions too.</summary>
    public static async Task DropAsync(string adminConnectionString, string name)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        // An autovacuum worker busy in the database makes DROP ... WITH (FORCE) fail for a non-superuser
        // on PostgreSQL 15 (42501); it finishes within moments, so try again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }
}
