using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Samples;

namespace Routing.EndToEndTests;

/// <summary>A customer's message on a channel, as its provider delivers it to the stack's adapter, signed with the stack's secrets.</summary>
internal static class CustomerWebhooks
{
    /// <summary>The webhook, the message id routing will give it, and the customer's address it carries (derived from <paramref name="phone"/> off the phone channels).</summary>
    public static (HttpRequestMessage Request, Guid MessageId, string Kind, string Value) For(string channel, string phone, string text)
    {
        var secrets = LocalStack.Secrets;
        switch (channel)
        {
            case "sms":
                var sid = "SM" + Guid.NewGuid().ToString("N");
                return (SampleWebhooks.TwilioSms(LocalStack.Sms, secrets["Twilio__AuthToken"], sid, phone, "+15557654321", text), MessageIds.ForInbound("sms", sid), "phone", phone);
            case "whatsapp":
                var wamid = "wamid.e2e" + Guid.NewGuid().ToString("N");
                return (SampleWebhooks.WhatsAppText(LocalStack.WhatsApp, secrets["WhatsApp__AppSecret"], wamid, phone.TrimStart('+'), "E2E Customer", text),
                    MessageIds.ForInbound("whatsapp", wamid), "phone", phone);
            case "facebook":
                var mid = "m_e2e" + Guid.NewGuid().ToString("N");
                var psid = phone.TrimStart('+');
                return (SampleWebhooks.MessengerText(LocalStack.Facebook, secrets["Facebook__AppSecret"], mid, psid, text), MessageIds.ForInbound("facebook", mid), "facebook", psid);
            case "email":
                var messageId = $"e2e-{Guid.NewGuid():N}@example.net";
                var address = $"customer-{phone.TrimStart('+')}@example.net";
                return (SampleWebhooks.MailgunEmail(LocalStack.Email, secrets["Email__Mailgun__SigningKey"], messageId, address, "E2E Customer", "Parcel", text),
                    MessageIds.ForInbound("email", messageId), "email", address);
            case "telegram":
                var userId = long.Parse(phone.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture);
                var messageNumber = Random.Shared.NextInt64(1, 1_000_000_000);
                return (SampleWebhooks.TelegramText(LocalStack.Telegram, secrets["Telegram__SecretToken"], messageNumber, messageNumber, userId, "E2E", "Customer", "e2e_customer", text),
                    MessageIds.ForInbound("telegram", $"{userId}:{messageNumber}"), "telegram", userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "instagram":
                var igMid = "aWdfZAG1f_e2e" + Guid.NewGuid().ToString("N");
                var igsid = phone.TrimStart('+');
                return (SampleWebhooks.InstagramText(LocalStack.Instagram, secrets["Instagram__AppSecret"], igMid, igsid, text), MessageIds.ForInbound("instagram", igMid), "instagram", igsid);
            default:
                var eventId = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var xUser = phone.TrimStart('+');
                return (SampleWebhooks.TwitterDm(LocalStack.Twitter, secrets["Twitter__ConsumerSecret"], eventId, xUser, "E2E Customer", "e2e_customer", text),
                    MessageIds.ForInbound("twitter", eventId), "twitter", xUser);
        }
    }

}
