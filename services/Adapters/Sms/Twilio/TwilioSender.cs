using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Sms.Twilio;

/// <summary>
/// Sends through Twilio's Messages API (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded,
/// basic auth), asking for status callbacks on our webhook. Errors follow Twilio's error body
/// {"code", "message", "status"}: https://www.twilio.com/docs/api/errors.
/// </summary>
internal sealed class TwilioSender(HttpClient http, IOptions<TwilioOptions> twilio, IOptions<WebhookOptions> webhooks) : IChannelSender
{
    // Retrying cannot help: invalid 'To' number, recipient unsubscribed (STOP).
    private static readonly HashSet<string> PermanentCodes = ["21211", "21610"];
    // Too many requests (after the pipeline's own retries); the next attempt may succeed.
    private static readonly HashSet<string> TransientCodes = ["20429"];

    public string Channel => Channels.Sms;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var options = twilio.Value;
        if (string.IsNullOrEmpty(options.AccountSid))
        {
            return SendOutcome.Failed("not-configured", "Twilio:AccountSid is not set; this adapter cannot send.", permanent: true);
        }
        var form = new List<KeyValuePair<string, string>>
        {
            new("To", command.To.Value),
            new("From", command.ChannelAccount),
            new("Body", command.Text),
            // The command id rides on the callback URL: a send whose answer was lost is still settled by its callbacks.
            new("StatusCallback", $"{webhooks.Value.PublicBaseUrl.TrimEnd('/')}/webhooks/sms/twilio?{TwilioSmsWebhook.CommandParameter}={command.CommandId:N}"),
        };
        form.AddRange(command.Attachments.Where(a => a.Url is not null).Select(a => new KeyValuePair<string, string>("MediaUrl", a.Url!)));

        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{options.ApiBaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}/Messages.json")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.AccountSid}:{options.AuthToken}")));

        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            return TryRead(body, "sid") is { } sid
                ? SendOutcome.Sent(sid)
                : SendOutcome.Failed("unexpected-response", $"Twilio answered {(int)response.StatusCode} without a message sid.", permanent: false);
        }
        var code = TryRead(body, "code") ?? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var message = TryRead(body, "message") ?? response.ReasonPhrase ?? "";
        return SendOutcome.ForError((int)response.StatusCode, code, message, permanent: PermanentCodes.Contains(code) || !TransientCodes.Contains(code));
    }

    private static string? TryRead(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var value)
                ? value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
