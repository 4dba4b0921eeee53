using Routing.AgentGateway.Delivery;

namespace Routing.AgentGateway.Email;

internal static class EmailServiceExtensions
{
    /// <summary>Email as an agent's tool (Gateway:Email): the sender of deliveries to mailboxes, and the reader of agents' replies.</summary>
    public static IServiceCollection AddAgentEmail(this IServiceCollection services)
    {
        services.AddOptions<AgentEmailOptions>().BindConfiguration(AgentEmailOptions.Section).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrEmpty(o.Smtp.Host) || (MimeKit.MailboxAddress.TryParse(o.From, out _) && o.ReplyAddress.Contains('@')),
                "Gateway:Email:From and ReplyAddress must be email addresses when Gateway:Email:Smtp:Host is set.")
            .Validate(o => string.IsNullOrEmpty(o.Imap.Host) || !o.RequireVerifiedSender || o.TrustedAuthenticationServers.Count > 0,
                "Gateway:Email:TrustedAuthenticationServers must name the reply mailbox's receiving server (the authserv-id of its "
                + "Authentication-Results) when Gateway:Email:Imap:Host is set; or set RequireVerifiedSender to false where agents' mail cannot be authenticated.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ReplyAddress(sp.GetRequiredService<IConfiguration>()["Gateway:SecretKey"]
            ?? throw new InvalidOperationException("Gateway:SecretKey is not set (32 random bytes in base64)."),
            sp.GetRequiredService<IConfiguration>().GetSection("Gateway:PreviousSecretKeys").Get<string[]>()));
        services.AddSingleton<IDeliverySender, EmailSender>();
        services.AddHostedService<EmailReplyWatcher>();
        return services;
    }
}
