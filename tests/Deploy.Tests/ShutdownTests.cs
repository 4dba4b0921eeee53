using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Routing.ServiceDefaults;

namespace Routing.Deploy.Tests;

/// <summary>The services read the shutdown and broker settings the manifests give them, and refuse ones that cannot work.</summary>
[Collection(RenderedManifestsCollection.Name)]
public sealed class ShutdownTests(RenderedManifests rendered)
{
    [Theory]
    [InlineData("overlays/prod", "routing")]
    [InlineData("overlays/dev", "adapter-sms")]
    public void Should_stop_within_the_windows_the_manifests_allow(string overlay, string service)
    {
        var objects = rendered.From(overlay);
        var configuration = ManifestRules.Configuration(objects.First(m => m.Kind == "Deployment" && m.Name == service), objects);
        using var host = Build(configuration);

        Assert.Equal(TimeSpan.Parse(configuration["Shutdown__HostTimeout"]), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(TimeSpan.Parse(configuration["Shutdown__BusStopTimeout"]), host.Services.GetRequiredService<IOptions<MassTransitHostOptions>>().Value.StopTimeout);
    }

    [Fact]
    public void Should_refuse_a_bus_stop_timeout_longer_than_the_host_shutdown()
    {
        // The host reads its shutdown timeout while it is built: a service with these settings never starts.
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Shutdown__HostTimeout"] = "00:00:10", ["Shutdown__BusStopTimeout"] = "00:00:20" }));
        Assert.Contains("Shutdown:BusStopTimeout", error.Message);
    }

    [Theory]
    [InlineData("amqp://rabbitmq.ns.svc:5672/", "user-from-secret", "p@ss/word:=", "user-from-secret", "p@ss/word:=")]
    [InlineData("amqp://guest:gu%40est@127.0.0.1:5672/", null, null, "guest", "gu@est")]
    [InlineData("amqp://guest:guest@127.0.0.1:5672/", "other", "secret", "other", "secret")]
    public void Should_log_in_to_the_broker_with_the_secret_s_user_over_the_url_s(string url, string? username, string? password, string expectedUser, string expectedPassword)
    {
        var options = new RabbitMqOptions { Url = url, Username = username, Password = password };

        Assert.Equal((expectedUser, expectedPassword), options.Credentials());
    }

    [Fact]
    public void Should_log_in_as_nobody_when_neither_url_nor_settings_name_a_user()
    {
        Assert.Null(new RabbitMqOptions { Url = "amqp://127.0.0.1:5672/" }.Credentials());
    }

    private static IHost Build(Dictionary<string, string> configuration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)));
        builder.AddServiceDefaults();
        builder.AddRabbitMqMessaging(_ => { });
        return builder.Build();
    }
}
