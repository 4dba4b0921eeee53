using Microsoft.Extensions.Options;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Attachments;

internal static class AttachmentServiceExtensions
{
    public static IServiceCollection AddAttachments(this IServiceCollection services)
    {
        services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section)
            .Validate(o => o.MaxBytes > 0 && o.Retention > TimeSpan.Zero && o.ToolLinkLifetime > TimeSpan.Zero && o.ApiLinkLifetime > TimeSpan.Zero && o.ProviderLinkLifetime > TimeSpan.Zero && o.MaxAttempts > 0,
                "Gateway:Attachments: MaxBytes, Retention, the link lifetimes and MaxAttempts must be positive")
            .Validate(o => o.Store is "postgres" || o.Store is "filesystem" && !string.IsNullOrWhiteSpace(o.Directory),
                "Gateway:Attachments:Store is postgres or filesystem (with Gateway:Attachments:Directory)")
            .Validate(o => o.ClamAv is null || Endpoint(o.ClamAv) is not null, "Gateway:Attachments:ClamAv is host:port")
            .ValidateOnStart();
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section);
        // Telegram's token is in the path of every Bot API URL the gateway fetches a file by: masked in logs and traces
        services.AddUrlSecret(sp => sp.GetRequiredService<IOptions<MediaOptions>>().Value.TelegramBotToken);
        services.AddSingleton<AttachmentStore>();
        services.AddSingleton<AttachmentLinks>();
        services.AddSingleton<AttachmentUploads>();
        services.AddSingleton<IAttachmentContent>(sp => sp.GetRequiredService<IOptions<AttachmentOptions>>().Value is { Store: "filesystem" } o
            ? new FileAttachmentContent(o.Directory!)
            : ActivatorUtilities.CreateInstance<PostgresAttachmentContent>(sp));
        services.AddSingleton<IAttachmentScanner>(sp => sp.GetRequiredService<IOptions<AttachmentOptions>>().Value.ClamAv is { } clamd
            && Endpoint(clamd) is var (host, port)
                ? new ClamAvScanner(host, port)
                : new NoScanner());
        // the providers' media: no cookies, a timeout per file, redirects followed by MediaSources itself (credentials per hop)
        services.AddHttpClient(MediaSources.Client, c => c.Timeout = TimeSpan.FromMinutes(2))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<MediaSources>();
        services.AddSingleton<AttachmentFetcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AttachmentFetcher>());
        return services;
    }

    private static (string Host, int Port)? Endpoint(string value) =>
        value.LastIndexOf(':') is var colon and > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and < 65536
            ? (value[..colon], port)
            : null;
}
