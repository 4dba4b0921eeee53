using System.ComponentModel.DataAnnotations;

namespace Routing.Adapters.Telegram.BotApi;

/// <summary>The bot (section "Telegram"); secrets come from the environment or Kubernetes Secrets.</summary>
internal sealed class TelegramOptions : IValidatableObject
{
    public const string Section = "Telegram";

    /// <summary>
    /// The bot's token from @BotFather ("123456789:AA…"). It authorizes every Bot API call and sits in the call's URL path
    /// (https://api.telegram.org/bot{token}/sendMessage); the kit masks it wherever a URL is logged or traced.
    /// </summary>
    [Required]
    public string BotToken { get; set; } = "";

    /// <summary>
    /// The secret_token given to setWebhook (1 to 256 of A-Z, a-z, 0-9, _ and -): Telegram sends it in
    /// X-Telegram-Bot-Api-Secret-Token with every update, and an update without it is refused.
    /// </summary>
    [Required]
    public string SecretToken { get; set; } = "";

    /// <summary>Secret tokens still accepted while setWebhook switches to a new one; remove them after.</summary>
    public List<string> PreviousSecretTokens { get; set; } = [];

    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>Consecutive sends refused with 401 (the token revoked or replaced) after which the channel reports itself degraded.</summary>
    [Range(1, 1000)]
    public int DegradedAfter { get; set; } = 3;

    /// <summary>The bot's user id, the token's part before the colon: the channel account its conversations are on.</summary>
    public string BotId => BotToken.Split(':', 2)[0];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var parts = BotToken.Split(':', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit) || parts[1].Length == 0)
        {
            // the value itself stays out of the message: it is the bot's secret
            yield return new ValidationResult("Telegram:BotToken must be the bot's token as @BotFather gives it: its id, a colon, its secret.", [nameof(BotToken)]);
        }
        foreach (var secret in PreviousSecretTokens.Prepend(SecretToken).Where(s => s.Length > 0))
        {
            if (secret.Length > 256 || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                yield return new ValidationResult("Telegram:SecretToken (and each previous one) must be 1 to 256 of A-Z, a-z, 0-9, _ and -, as setWebhook takes it.", [nameof(SecretToken)]);
            }
        }
    }
}
