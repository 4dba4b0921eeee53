using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Routing.Database;

namespace Routing.Supervision;

/// <summary>
/// The supervisors' console under /console: server-rendered pages (Razor components, no script framework, nothing fetched
/// from elsewhere), signed in with an operator token that becomes a session cookie (HttpOnly, SameSite=Strict, Data
/// Protection keys shared in PostgreSQL), every form with an antiforgery token, live by server-sent events.
/// </summary>
internal static class ConsoleSetup
{
    public const string Scheme = "ConsoleSession";
    public const string Policy = "console";
    public const string SignInLimit = "console-sign-in";
    public const string BasePath = "/console";

    public static IHostApplicationBuilder AddSupervisorConsole(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100) && o.SessionLifetime > TimeSpan.Zero,
                "Routing:Console: PollInterval must be at least 100 ms, SessionLifetime positive")
            .ValidateOnStart();
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "routing_console_af";
            o.Cookie.Path = BasePath;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__console_form";
        });
        services.AddDataProtection().SetApplicationName("routing");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DataProtectionKeyStore(sp.GetRequiredService<Npgsql.NpgsqlDataSource>())));
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "routing_console";
            o.Cookie.Path = BasePath;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = BasePath + "/sign-in";
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context =>
            {
                // a page is sent to the sign-in form; the event stream and forms get 401
                if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments(BasePath + "/events"))
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                return Task.CompletedTask;
            };
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<ConsoleOptions>>((o, console) => o.ExpireTimeSpan = console.Value.SessionLifetime);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(SignInLimit, http =>
            RateLimitPartition.GetFixedWindowLimiter("sign-in:" + http.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = 10,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        services.AddSingleton<FloorChanges>();
        services.AddHostedService(sp => sp.GetRequiredService<FloorChanges>());
        return builder;
    }

    public static WebApplication MapSupervisorConsole(this WebApplication app)
    {
        var console = app.MapGroup(BasePath).ExcludeFromDescription().AddEndpointFilter(ConsoleHeaders);
        ConsoleAssets.Map(console);
        ConsoleSession.Map(console);
        var signedIn = console.MapGroup("").RequireAuthorization(Policy);
        ConsolePages.Map(signedIn);
        FloorChanges.Map(signedIn);
        ConsoleActions.Map(signedIn.MapGroup("").AddEndpointFilter(ConsoleActions.AdminOnly));
        return app;
    }

    /// <summary>Nothing of the console runs in a frame or loads from elsewhere; no script but its own file.</summary>
    private static ValueTask<object?> ConsoleHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        // what antiforgery asks of a page with a form token (it warns on anything else)
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        return next(context);
    }
}

/// <summary>Routing:Console: how often the floor is looked at for changes while someone watches, and how long a session lasts unused.</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Routing:Console";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
