using Microsoft.Extensions.Diagnostics.HealthChecks;
using Routing.Adapters.Email.Files;
using Routing.Adapters.Email.Imap;
using Routing.Adapters.Email.Inbound;
using Routing.Adapters.Email.Smtp;
using Routing.Adapters.Outbound;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Email;

internal static class EmailServiceExtensions
{
    /// <summary>Mail carries attachments: the email webhooks take what the ingress admits (deploy/k8s/base/ingress.yaml, 16m).</summary>
    public const int MaxMailBytes = 16 * 1024 * 1024;

    public static IHostApplicationBuilder AddEmailAdapter(this IHostApplicationBuilder builder)
    {
        // A default below every other source, so that Webhooks:MaxBodyBytes set anywhere still wins.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("Webhooks:MaxBodyBytes", MaxMailBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        });
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EmailMetrics>();
        // customers' attachments kept for the agent gateway to fetch (Files/EmailFiles)
        builder.Services.AddOptions<EmailFileOptions>().BindConfiguration(EmailFileOptions.Section)
            .Validate(o => o.Key is not { Length: > 0 } key || Convert.TryFromBase64String(key, new byte[key.Length], out var length) && length >= 32,
                "Email:Files:Key is 32 random bytes (or more) in base64")
            .ValidateOnStart();
        builder.Services.AddSingleton<EmailFiles>();
        builder.Services.AddHostedService<EmailFileSweeper>();
        builder.Services.AddSingleton<ImapHealth>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("imap", sp => sp.GetRequiredService<ImapHealth>(), null, [ServiceDefaultsExtensions.ReadyTag]));
        builder.Services.AddHostedService<ImapInboxWatcher>();
        builder.Services.AddSingleton<MailgunWebhook>().AddSingleton<PostmarkWebhook>().AddSingleton<SendGridWebhook>();
        builder.Services.AddTransient<IChannelSender, SmtpEmailSender>();
        builder.AddAdapterKit(x => x.AddChannelSenderConsumer());
        return builder;
    }

    public static WebApplication MapEmailWebhooks(this WebApplication app)
    {
        app.MapChannelWebhook<MailgunWebhook>("/webhooks/email/mailgun");
        app.MapChannelWebhook<PostmarkWebhook>("/webhooks/email/postmark");
        app.MapChannelWebhook<SendGridWebhook>("/webhooks/email/sendgrid");
        app.MapGet("/media/email/{name}", (string name, HttpContext http, EmailFiles files) => files.Serve(http, name));
        return app;
    }
}
