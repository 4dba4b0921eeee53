namespace Routing.Deploy.Tests;

/// <summary>The compose file of the whole local stack passes docker-compose's own validation (no engine needed).</summary>
public sealed class ComposeTests
{
    private static readonly string ComposeFile = Path.Combine(Tool.RepositoryRoot, "deploy", "compose.yaml");

    [Fact]
    public void Should_be_a_valid_compose_file()
    {
        var result = Tool.Run("docker-compose", ["-f", ComposeFile, "config", "-q"]);

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Fact]
    public void Should_run_every_service_of_the_stack_from_the_one_Dockerfile()
    {
        var services = Tool.RunOrThrow("docker-compose", ["-f", ComposeFile, "config", "--services"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        var config = Tool.RunOrThrow("docker-compose", ["-f", ComposeFile, "config"]);

        Assert.Equal(["adapter-email", "adapter-facebook", "adapter-sms", "adapter-twitter", "adapter-whatsapp", "agent-gateway",
            "mail", "otel-collector", "postgres", "rabbitmq", "routing", "sandbox"], services);
        Assert.Equal(8, config.Split("dockerfile: deploy/images/Dockerfile").Length - 1);
    }

    [Fact]
    public void Should_reject_a_broken_compose_file()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("compose-").FullName, "compose.yaml");
        File.WriteAllText(broken, "services:\n  routing:\n    image: x\n    ports: 5080\n    restart: sometimes-maybe\n");

        var result = Tool.Run("docker-compose", ["-f", broken, "config", "-q"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid", result.Error, StringComparison.OrdinalIgnoreCase);
    }
}
