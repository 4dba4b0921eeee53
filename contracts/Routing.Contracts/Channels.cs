namespace Routing.Contracts;

/// <summary>The names used on the wire. Channels and address kinds are data: a new adapter may bring new ones.</summary>
public static class Channels
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Facebook = "facebook";
    public const string Twitter = "twitter";
    public const string WhatsApp = "whatsapp";
    public const string Telegram = "telegram";
    public const string Instagram = "instagram";
}
