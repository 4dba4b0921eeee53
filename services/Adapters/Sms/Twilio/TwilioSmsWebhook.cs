using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Routing.Adapters.Sms.Twilio;

/// <summary>
/// Twilio Programmable Messaging webhooks (form-encoded): incoming SMS and MMS, and the status
/// callbacks of messages we sent. Parameters: https://www.twilio.com/docs/messaging/guides/webhook-request
/// and https://www.twilio.com/docs/messaging/guides/track-outbound-message-status.
/// </summary>
internal sealed class TwilioSmsWebhook(IOptions<TwilioOptions> options) : IChannelWebhook
{
    /// <summary>The status callback URL's query parameter that carries the reply's command id.</summary>
    public const string CommandParameter = "command";

    public string Channel => Channels.Sms;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/x-www-form-urlencoded"];

    // An empty TwiML response: received, nothing to reply.
    public (string Body, string ContentType) Acknowledgement => ("""<?xml version="1.0" encoding="UTF-8"?><Response></Response>""", "text/xml");

    public SignatureCheck Verify(WebhookRequest request)
    {
        var signature = request.Header("X-Twilio-Signature");
        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }
        // The signature covers the parsed parameters, so a body that is not a form cannot be signed.
        if (!TryReadForm(request, out var form))
        {
            return SignatureCheck.Invalid;
        }
        return ProviderSecrets.Verify(options.Value.AuthToken, options.Value.PreviousAuthTokens, token =>
            TwilioSignature.Matches(TwilioSignature.Compute(token, request.PublicUrl, form), signature) ? SignatureCheck.Valid : SignatureCheck.Invalid);
    }

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        if (!TryReadForm(request, out var form))
        {
            throw new MalformedWebhookException("body", "is not application/x-www-form-urlencoded");
        }
        if (form.FirstOrDefault(f => f.Value.Count > 1) is { Key: { } twice })
        {
            throw new MalformedWebhookException(twice, "is given more than once"); // Twilio never does; which one would count?
        }
        var sid = Required(form, "MessageSid");
        var status = First(form, "MessageStatus") ?? First(form, "SmsStatus");
        if (status is not null && status != "received")
        {
            return Status(form, sid, status, CommandOf(request), receivedAt);
        }

        var from = Required(form, "From");
        if (from.StartsWith("whatsapp:", StringComparison.OrdinalIgnoreCase))
        {
            throw new MalformedWebhookException("From", "is a WhatsApp address; this endpoint serves SMS and MMS");
        }
        var message = new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(Channels.Sms, sid),
            Channel = Channels.Sms,
            ChannelAccount = Required(form, "To"),
            ProviderMessageId = sid,
            Sender = new CustomerAddress { Kind = "phone", Value = from },
            Text = First(form, "Body"),
            Attachments = Media(form),
            // Twilio's request carries no time of its own; it is sent as the message arrives.
            ProviderTimestamp = receivedAt,
            ReceivedAt = receivedAt,
            Metadata = Metadata(form, "AccountSid", "MessagingServiceSid", "NumSegments", "FromCountry", "FromState", "FromCity"),
        };
        return new WebhookContent([message], []);
    }

    private static WebhookContent Status(Dictionary<string, StringValues> form, string sid, string status, Guid? command, DateTimeOffset receivedAt)
    {
        var mapped = status switch
        {
            "sent" => "sent",
            "delivered" => "delivered",
            "read" => "read",
            "failed" or "undelivered" => "failed",
            _ => null, // queued, accepted, scheduled, sending, canceled: not a delivery outcome
        };
        if (mapped is null)
        {
            return WebhookContent.Empty;
        }
        return new WebhookContent([], [new DeliveryStatusChanged
        {
            Channel = Channels.Sms,
            ChannelAccount = First(form, "From"),
            ProviderMessageId = sid,
            CommandId = command,
            Status = mapped,
            ErrorCode = First(form, "ErrorCode"),
            OccurredAt = receivedAt,
        }]);
    }

    /// <summary>The command id our StatusCallback URL carried (signed with the URL), if any.</summary>
    private static Guid? CommandOf(WebhookRequest request)
    {
        var query = Uri.TryCreate(request.PublicUrl, UriKind.Absolute, out var url) ? url.Query : "";
        if (!QueryHelpers.ParseQuery(query).TryGetValue(CommandParameter, out var values) || values.Count == 0)
        {
            return null;
        }
        return Guid.TryParse(values[0], out var id) ? id : throw new MalformedWebhookException(CommandParameter, "is not a command id");
    }

    private static List<MessageAttachment> Media(Dictionary<string, StringValues> form)
    {
        var count = First(form, "NumMedia") is { } n ? int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw new MalformedWebhookException("NumMedia", $"'{n}' is not a count") : 0;
        var media = new List<MessageAttachment>(count);
        for (var i = 0; i < count; i++)
        {
            media.Add(new MessageAttachment
            {
                Url = Required(form, $"MediaUrl{i}"),
                ContentType = First(form, $"MediaContentType{i}") ?? "application/octet-stream",
            });
        }
        return media;
    }

    private static Dictionary<string, string> Metadata(Dictionary<string, StringValues> form, params string[] names) =>
        names.Where(n => First(form, n) is not null).ToDictionary(n => n, n => First(form, n)!, StringComparer.Ordinal);

    private static string Required(Dictionary<string, StringValues> form, string name) =>
        First(form, name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : throw new MalformedWebhookException(name, "is required");

    private static string? First(Dictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static bool TryReadForm(WebhookRequest request, out Dictionary<string, StringValues> form)
    {
        form = [];
        if (request.ContentType is null || !request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            form = new FormReader(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(request.Body)).ReadForm();
            return true;
        }
        catch (Exception ex) when (ex is DecoderFallbackException or InvalidDataException)
        {
            return false;
        }
    }
}
