using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Routing.ServiceDefaults;

namespace Routing.UnitTests;

/// <summary>What every span, metric and log says about where it comes from (the OpenTelemetry resource).</summary>
public sealed class TelemetryResourceTests
{
    [Fact]
    public void Should_name_the_service_its_build_and_its_deployment()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Routing" });
        // as pod-defaults.yaml sets it from the platform's DEPLOYMENT_ENVIRONMENT
        builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=staging,service.instance.id=routing-7d9f";
        builder.AddServiceDefaults();
        using var host = builder.Build();

        var attributes = host.Services.GetRequiredService<MeterProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal("Routing", attributes["service.name"]);
        Assert.Equal(ServiceDefaultsExtensions.ServiceVersion(), attributes["service.version"]);
        Assert.NotEqual("unknown", attributes["service.version"]);
        Assert.Equal("staging", attributes["deployment.environment.name"]);
        Assert.Equal("routing-7d9f", attributes["service.instance.id"]);
    }

    [Fact]
    public void Should_give_an_instance_an_id_of_its_own_when_the_deployment_names_none()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Routing" });
        builder.AddServiceDefaults();
        using var host = builder.Build();

        var attributes = host.Services.GetRequiredService<MeterProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

        Assert.True(Guid.TryParse(attributes["service.instance.id"]?.ToString(), out _));
    }
}
