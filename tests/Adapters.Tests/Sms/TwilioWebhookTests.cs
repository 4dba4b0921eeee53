using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;

namespace Adapters.Tests.Sms;

public sealed class TwilioWebhookTests
{
    private static readonly TwilioSmsWebhook Webhook = new(Options.Create(new TwilioOptions { AuthToken = TwilioCases.AuthToken }));

    public static TheoryData<string> Cases => new(TwilioCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_meet_the_conformance_case(string name) =>
        Conformance.Check(Webhook, TwilioCases.PublicUrl, TwilioCases.Named(name));

    [Fact]
    public void Should_compute_the_signature_of_twilios_documented_example()
    {
        // Twilio's own example (TwilioDevEd/api-snippets security/signature_validation, and https://www.twilio.com/docs/usage/security).
        var parameters = new Dictionary<string, StringValues>
        {
            ["CallSid"] = "CA1234567890ABCDE",
            ["Caller"] = "+14158675310",
            ["Digits"] = "1234",
            ["From"] = "+14158675310",
            ["To"] = "+18005551212",
        };
        Assert.Equal("GvWf1cFY/Q7PnoempGyD5oXAezc=", TwilioSignature.Compute("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", parameters));
    }

    [Fact]
    public void Should_carry_the_command_id_of_the_status_callback_url_it_was_given()
    {
        var command = Guid.NewGuid();
        var url = $"{TwilioCases.PublicUrl}?command={command:N}";
        const string body = "SmsSid=SM9a8b7c6d5e4f30211203040506070809&SmsStatus=delivered&MessageStatus=delivered&To=%2B12125550123"
            + "&MessageSid=SM9a8b7c6d5e4f30211203040506070809&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15557654321&ApiVersion=2010-04-01";
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body);
        WebhookRequest Request(string at, string signedUrl) => new(System.Text.Encoding.UTF8.GetBytes(body),
            new Dictionary<string, StringValues> { ["X-Twilio-Signature"] = TwilioSignature.Compute(TwilioCases.AuthToken, signedUrl, form) },
            at, "application/x-www-form-urlencoded");

        var status = Assert.Single(Webhook.Parse(Request(url, url), Conformance.ReceivedAt).Statuses);

        Assert.Equal(SignatureCheck.Valid, Webhook.Verify(Request(url, url)));
        Assert.Equal(SignatureCheck.Invalid, Webhook.Verify(Request(url, TwilioCases.PublicUrl))); // the command id is signed with the URL
        Assert.Equal((command, "SM9a8b7c6d5e4f30211203040506070809", "delivered"), (status.CommandId, status.ProviderMessageId, status.Status));
        var malformed = Assert.Throws<MalformedWebhookException>(() => Webhook.Parse(Request(TwilioCases.PublicUrl + "?command=x", url), Conformance.ReceivedAt));
        Assert.Equal("command", malformed.Field);
    }
}
