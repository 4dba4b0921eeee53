using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;

namespace Adapters.Tests.Sms;

/// <summary>Twilio's Messages API on 127.0.0.1 (<see cref="ProviderApiImitation"/>), with Twilio's answers and error body.</summary>
internal static class TwilioApiImitation
{
    public static Task<ProviderApiImitation> StartAsync() =>
        ProviderApiImitation.StartAsync("/2010-04-01/Accounts/{accountSid}/Messages.json", Created("SM00000000000000000000000000000000"));

    public static Func<HttpContext, Task> Created(string sid) => ProviderApiImitation.Json(201, new { sid, status = "queued" });

    public static Func<HttpContext, Task> Error(int status, int code, string message, string? retryAfter = null) =>
        ProviderApiImitation.Json(status, new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status }, retryAfter);

    public static Func<HttpContext, Task> Hang() => ProviderApiImitation.Hang();
}
