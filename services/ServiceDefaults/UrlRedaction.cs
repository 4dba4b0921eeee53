using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Instrumentation.Http;

namespace Routing.ServiceDefaults;

/// <summary>A secret a provider's API wants in its URLs (Telegram's bot token in every call's path), read from the service's settings.</summary>
public sealed record UrlSecret(Func<IServiceProvider, string?> Value);

/// <summary>
/// The URL of an outgoing request as it may appear in a log or a span: <see cref="PersonalData.RedactUrl(Uri?)"/>, and every
/// secret a service declared (<see cref="UrlRedactionExtensions.AddUrlSecret"/>) masked wherever it occurs in the path, so
/// a token that authorizes by URL is never written down, whatever the log level.
/// </summary>
public sealed class UrlRedaction(IServiceProvider services, IEnumerable<UrlSecret> declared)
{
    private readonly Lazy<string[]> _secrets = new(() => declared.Select(s => s.Value(services)).OfType<string>()
        .Where(s => s.Length >= 8).Distinct().OrderByDescending(s => s.Length).ToArray());

    public string Redact(Uri? url) => PersonalData.RedactUrl(url, _secrets.Value);
}

/// <summary>
/// Logs outgoing HTTP requests in place of the framework's loggers, which write whole URLs: method, redacted URL, status
/// and time, at Debug (off unless an operator turns it on, and safe when they do).
/// </summary>
internal sealed partial class RedactedHttpLogger(ILogger<RedactedHttpLogger> logger, UrlRedaction redaction) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        Answered(request.Method.Method, redaction.Redact(request.RequestUri), (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        Failed(request.Method.Method, redaction.Redact(request.RequestUri), exception.GetType().Name, elapsed.TotalMilliseconds);

    [LoggerMessage(LogLevel.Debug, "HTTP {Method} {Url} answered {Status} in {ElapsedMs} ms")]
    private partial void Answered(string method, string url, int status, double elapsedMs);

    [LoggerMessage(LogLevel.Debug, "HTTP {Method} {Url} failed ({Error}) after {ElapsedMs} ms")]
    private partial void Failed(string method, string url, string error, double elapsedMs);
}

public static class UrlRedactionExtensions
{
    /// <summary>Declares a secret that goes in a provider's URLs: masked in every logged or traced URL of this service.</summary>
    public static IServiceCollection AddUrlSecret(this IServiceCollection services, Func<IServiceProvider, string?> secret) =>
        services.AddSingleton(new UrlSecret(secret));

    /// <summary>
    /// Every HTTP client of the service logs through <see cref="RedactedHttpLogger"/> instead of the framework's URL-writing
    /// loggers, and its spans carry the redacted URL as url.full (when tracing is on).
    /// </summary>
    public static IServiceCollection AddRedactedHttpTelemetry(this IServiceCollection services)
    {
        services.TryAddSingleton<UrlRedaction>();
        services.TryAddSingleton<RedactedHttpLogger>();
        services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers().AddLogger<RedactedHttpLogger>());
        // providers' URLs may carry a customer's id (X: /dm_conversations/with/{user id}/messages) or a secret (Telegram's token)
        services.AddOptions<HttpClientTraceInstrumentationOptions>().Configure<UrlRedaction>((o, redaction) =>
            o.EnrichWithHttpRequestMessage = (activity, request) => activity.SetTag("url.full", redaction.Redact(request.RequestUri)));
        return services;
    }
}
