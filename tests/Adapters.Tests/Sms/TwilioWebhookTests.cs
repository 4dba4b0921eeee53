using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Routing.Adapters.Sms.Twilio;
using Routing.Adapters.Testing;

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
}
