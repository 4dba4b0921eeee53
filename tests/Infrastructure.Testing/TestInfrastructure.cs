using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Routing.Testing;

/// <summary>
/// Where the real servers come from: ROUTING_TEST_POSTGRES / ROUTING_TEST_RABBITMQ (which `make test`
/// starts and sets), else Testcontainers when a Docker engine is there. With neither, tests fail
/// with this message; they never skip.
/// </summary>
public static class TestInfrastructure
{
    private static readonly Lazy<Task<string>> Postgres = new(StartPostgresAsync);
    private static readonly Lazy<Task<(string Amqp, string Management)>> RabbitMq = new(StartRabbitMqAsync);

    public static Task<string> PostgresAsync() => Postgres.Value;

    public static Task<(string Amqp, string Management)> RabbitMqAsync() => RabbitMq.Value;

    private static async Task<string> StartPostgresAsync()
    {
        if (Environment.GetEnvironmentVariable("ROUTING_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            return configured;
        }
        RequireDocker("ROUTING_TEST_POSTGRES");
        var container = new PostgreSqlBuilder("postgres:15").Build();
        await container.StartAsync();
        return container.GetConnectionString();
    }

    private static async Task<(string, string)> StartRabbitMqAsync()
    {
        if (Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ") is { Length: > 0 } amqp
            && Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ_MANAGEMENT") is { Length: > 0 } management)
        {
            return (amqp, management);
        }
        RequireDocker("ROUTING_TEST_RABBITMQ and ROUTING_TEST_RABBITMQ_MANAGEMENT");
        var container = new RabbitMqBuilder("rabbitmq:3.13-management").WithUsername("guest").WithPassword("guest")
            .WithPortBinding(15672, true).Build();
        await container.StartAsync();
        return ($"amqp://guest:guest@{container.Hostname}:{container.GetMappedPublicPort(5672)}/",
            $"http://guest:guest@{container.Hostname}:{container.GetMappedPublicPort(15672)}/");
    }

    private static void RequireDocker(string variables)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(dockerHost) && !File.Exists("/var/run/docker.sock"))
        {
            throw new InvalidOperationException(
                $"No server for the integration tests: set {variables} (`make test` starts local servers and sets them), " +
                "or run a Docker engine for Testcontainers.");
        }
    }
}
