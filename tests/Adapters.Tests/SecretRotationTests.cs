using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Routing.Adapters.Facebook.Messenger;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Webhooks;
using Routing.Adapters.WhatsApp.Cloud;

namespace Adapters.Tests;

/// <summary>
/// A provider's secret rotated without refusing deliveries (issue 16): while the provider switches, deliveries signed
/// with the previous secret are still taken; one signed with any other secret is not.
/// </summary>
public sealed class SecretRotationTests
{
    private static readonly byte[] Body = """{"object":"whatsapp_business_account","entry":[]}"""u8.ToArray();

    private static WebhookRequest MetaSigned(string secret) => new(Body,
        new Dictionary<string, StringValues> { ["X-Hub-Signature-256"] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Body)) },
        "https://hooks.example.com/webhooks/whatsapp", "application/json");

    [Theory]
    [InlineData("new-secret", SignatureCheck.Valid)]
    [InlineData("old-secret", SignatureCheck.Valid)]
    [InlineData("someone-elses", SignatureCheck.Invalid)]
    public void Should_take_a_meta_delivery_signed_with_the_current_or_a_previous_app_secret(string signedWith, SignatureCheck expected)
    {
        var whatsapp = new WhatsAppWebhook(Options.Create(new WhatsAppOptions { AppSecret = "new-secret", PreviousAppSecrets = ["old-secret"] }));
        var messenger = new MessengerWebhook(Options.Create(new MessengerOptions { AppSecret = "new-secret", PreviousAppSecrets = ["old-secret"] }));

        Assert.Equal(expected, whatsapp.Verify(MetaSigned(signedWith)));
        Assert.Equal(expected, messenger.Verify(MetaSigned(signedWith)));
    }

    [Fact]
    public void Should_take_a_twilio_delivery_signed_with_the_previous_auth_token_and_refuse_it_once_that_is_removed()
    {
        const string url = "https://hooks.example.com/webhooks/sms/twilio";
        var form = "From=%2B393331234567&MessageSid=SM1&Body=Hi"u8.ToArray();
        var signature = Convert.ToBase64String(HMACSHA1.HashData("old-token"u8, Encoding.UTF8.GetBytes(url + "BodyHiFrom+393331234567MessageSidSM1")));
        var request = new WebhookRequest(form, new Dictionary<string, StringValues> { ["X-Twilio-Signature"] = signature }, url,
            "application/x-www-form-urlencoded");

        Assert.Equal(SignatureCheck.Valid,
            new TwilioSmsWebhook(Options.Create(new TwilioOptions { AuthToken = "new-token", PreviousAuthTokens = ["old-token"] })).Verify(request));
        Assert.Equal(SignatureCheck.Invalid, new TwilioSmsWebhook(Options.Create(new TwilioOptions { AuthToken = "new-token" })).Verify(request));
    }
}
