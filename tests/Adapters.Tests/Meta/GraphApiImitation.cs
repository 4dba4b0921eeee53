using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;

namespace Adapters.Tests.Meta;

/// <summary>
/// Meta's Graph API on 127.0.0.1 (<see cref="ProviderApiImitation"/>): the WhatsApp Cloud API's and Messenger's
/// Send API's answers, and Meta's error body (https://developers.facebook.com/docs/graph-api/guides/error-handling).
/// </summary>
internal static class GraphApiImitation
{
    /// <summary>
    /// Serves POST /{version}/{node}/messages (and a comment's /comments and /replies), answering <paramref name="fallback"/>
    /// (a WhatsApp success by default) until scripted otherwise.
    /// </summary>
    public static Task<ProviderApiImitation> StartAsync(Func<HttpContext, Task>? fallback = null) =>
        ProviderApiImitation.StartAsync(["/{version}/{node}/messages", "/{version}/{node}/comments", "/{version}/{node}/replies"], fallback ?? WhatsAppSent("wamid.default"));

    /// <summary>A comment created (a public reply): {"id"}.</summary>
    public static Func<HttpContext, Task> Commented(string id) => ProviderApiImitation.Json(200, new { id });

    public static Func<HttpContext, Task> WhatsAppSent(string wamid) => ProviderApiImitation.Json(200, new
    {
        messaging_product = "whatsapp",
        contacts = new[] { new { input = "16505551234", wa_id = "16505551234" } },
        messages = new[] { new { id = wamid } },
    });

    public static Func<HttpContext, Task> MessengerSent(string mid) => ProviderApiImitation.Json(200, new { recipient_id = "1254459154682919", message_id = mid });

    public static Func<HttpContext, Task> Error(int status, int code, string message, int? subcode = null, string? retryAfter = null) =>
        ProviderApiImitation.Json(status, new
        {
            error = new { message, type = "OAuthException", code, error_subcode = subcode, fbtrace_id = "Az8or2yhqkZfEZ-_4Qn_Bam" },
        }, retryAfter);
}
