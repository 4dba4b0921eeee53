using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using System.Text.Json;

namespace Routing.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Telemetry, JSON console logs, health checks and problem details: what every service has.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, params string[] extraMeters)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        // Personal data stays out of logs: the request lines carry whole URLs (a lookup's ?value=+1415…, X's DM URL with
        // the customer's user id), so they are logged from Warning only. Addresses in providers' error texts are masked
        // where they are logged (PersonalData).
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // and every HTTP client logs through one that writes URLs redacted (secrets in paths too: UrlRedaction)
        builder.Services.AddRedactedHttpTelemetry();
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // The framework's lines for every request ("Executing endpoint", "Setting HTTP status code 200", five JSON lines a
        // webhook) and the bus's own from Warning, unless the configuration names a level for them: at a few hundred
        // webhooks a second they cost an adapter more processor than the webhook (make bench-e2e).
        foreach (var chatty in new[] { "Microsoft.AspNetCore", "MassTransit" })
        {
            if (builder.Configuration[$"Logging:LogLevel:{chatty}"] is null)
            {
                builder.Logging.AddFilter(chatty, LogLevel.Warning);
            }
        }

        builder.Services.AddSingleton(TimeProvider.System);
        // The bus stops inside the host's shutdown: a longer bus timeout would be cut short by the host.
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section)
            .Validate(o => o.BusStopTimeout > TimeSpan.Zero && o.BusStopTimeout < o.HostTimeout,
                "Shutdown:BusStopTimeout must be positive and shorter than Shutdown:HostTimeout.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.HostTimeout);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestProblemHandler>();
        // Let a body that fails to bind reach BadRequestProblemHandler, which names the field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // A key twice in one JSON object is refused (400), not silently "the last one wins".
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowDuplicateProperties = false);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthMetrics>();

        var serviceName = builder.Environment.ApplicationName;
        var otel = builder.Services.AddOpenTelemetry()
            // service.version is the build's (the assembly's informational version, "1.0.0+<commit>" when built from git);
            // deployment.environment.name and the pod's attributes come from OTEL_RESOURCE_ATTRIBUTES (pod-defaults.yaml).
            // The pod's name is its instance id when OTEL_RESOURCE_ATTRIBUTES names one; a generated id would replace it.
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: ServiceVersion(),
                autoGenerateServiceInstanceId: builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"]?.Contains("service.instance.id=", StringComparison.Ordinal) != true))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Npgsql", HealthMetrics.MeterName)
                .AddMeter(extraMeters));
        // Spans cost a little on every message and database call; they are recorded only when there
        // is somewhere to send them (OTEL_TRACES_SAMPLER and its argument tune how many).
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health");
                    // a query may name a customer (GET /customers/lookup?kind=phone&value=…)
                    o.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                })
                .AddHttpClientInstrumentation()
                .AddSource("MassTransit", ServiceTracing.SourcePrefix + "*")
                .AddNpgsql());
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The entry assembly's informational version ("1.0.0+&lt;commit&gt;"), else its version.</summary>
    public static string ServiceVersion()
    {
        var assembly = Assembly.GetEntryAssembly();
        return assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly?.GetName().Version?.ToString() ?? "unknown";
    }

    /// <summary>/health/live answers while the process runs; /health/ready only when its broker and database answer.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthAsync,
        });
        return app;
    }

    /// <summary>One NpgsqlDataSource for the connection string named <paramref name="name"/>, with a readiness check.</summary>
    public static IHostApplicationBuilder AddPostgres(this IHostApplicationBuilder builder, string name)
    {
        builder.Services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(name)
                ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured.");
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            // Services send the same few statements all day: let Npgsql prepare them (no parse and plan
            // per call), and skip the DISCARD ALL round trip when a connection goes back to the pool
            // (no session state is kept between uses). An explicit setting in the string wins.
            var settings = dataSource.ConnectionStringBuilder;
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                settings.MaxAutoPrepare = 64;
                settings.AutoPrepareMinUsages = 2;
            }
            if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            {
                settings.NoResetOnClose = true;
            }
            return dataSource.Build();
        });
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [ReadyTag]);
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        return builder;
    }

    private static readonly JsonSerializerOptions HealthJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description,
                    data = e.Value.Data.Count > 0 ? e.Value.Data : null,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson));
    }
}
