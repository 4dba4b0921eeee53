using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Routing.ServiceDefaults;

/// <summary>RateLimit:PerCaller: a token bucket per caller of an authenticated API; PerSecond 0 turns it off.</summary>
public sealed class CallerRateLimitOptions
{
    public const string Section = "RateLimit:PerCaller";

    /// <summary>Requests a caller may make per second, sustained.</summary>
    public int PerSecond { get; set; } = 100;

    /// <summary>Requests a caller may make at once after a quiet spell.</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>
/// Rate limits for the APIs people and their tools call (the agent API, the admin APIs, routing's API): one token
/// bucket per caller, the caller being its credential (a digest of the Authorization header; the remote address
/// without one), so one agent's runaway script slows only itself. Over the limit is 429 problem+json with
/// Retry-After. Providers' webhooks are not limited here: Twilio does not retry what is refused.
/// </summary>
public static class CallerRateLimits
{
    public const string Policy = "per-caller";

    public static IHostApplicationBuilder AddCallerRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallerRateLimitOptions>().BindConfiguration(CallerRateLimitOptions.Section)
            .Validate(o => o.PerSecond >= 0 && o.Burst >= o.PerSecond, "RateLimit:PerCaller: PerSecond must not be negative, Burst at least PerSecond")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = "Slow down and try again after Retry-After." },
                });
            };
            o.AddPolicy(Policy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<CallerRateLimitOptions>>().Value;
                return limits.PerSecond == 0
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetTokenBucketLimiter(CallerOf(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
        });
        return builder;
    }

    /// <summary>The caller's partition: its credential's digest (never the credential), else its address.</summary>
    private static string CallerOf(HttpContext http)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        return authorization.Length > 0
            ? "credential:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(authorization)), 0, 12)
            : "address:" + http.Connection.RemoteIpAddress;
    }
}
