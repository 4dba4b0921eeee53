using Routing.ServiceDefaults;

namespace Routing.UnitTests;

/// <summary>What reaches logs and spans of providers' words and URLs: never a customer's address.</summary>
public sealed class PersonalDataTests
{
    [Theory]
    [InlineData("The 'To' number +14155550123 is not a valid phone number.", "The 'To' number [redacted] is not a valid phone number.")]
    [InlineData("Recipient +1 (415) 555-0123 unsubscribed", "Recipient [redacted] unsubscribed")]
    [InlineData("(#100) No matching user found for 447911123456", "(#100) No matching user found for [redacted]")]
    [InlineData("mailbox ada.lovelace+support@example.co.uk rejected", "mailbox [redacted] rejected")]
    [InlineData("Rate limit hit (code 4)", "Rate limit hit (code 4)")]
    [InlineData("error 1234", "error 1234")]
    [InlineData(null, "")]
    public void Should_mask_addresses_in_text(string? text, string expected) =>
        Assert.Equal(expected, PersonalData.Redact(text));

    [Theory]
    [InlineData("https://api.x.com/2/dm_conversations/with/1234567890/messages", "https://api.x.com/2/dm_conversations/with/[redacted]/messages")]
    [InlineData("https://graph.facebook.com/v23.0/106540352242922/messages?access_token=EAAB", "https://graph.facebook.com/v23.0/[redacted]/messages")]
    [InlineData("https://example.com/users/ada%40example.com/inbox", "https://example.com/users/[redacted]/inbox")]
    [InlineData("http://127.0.0.1:7190/slack/api/chat.postMessage", "http://127.0.0.1:7190/slack/api/chat.postMessage")]
    [InlineData("https://example.com", "https://example.com/")]
    public void Should_keep_a_urls_shape_and_mask_what_could_name_a_person(string url, string expected) =>
        Assert.Equal(expected, PersonalData.RedactUrl(new Uri(url)));

    [Theory]
    [InlineData("https://api.telegram.org/bot123:AAsecret-token-xyz/sendMessage", "https://api.telegram.org/bot123:[redacted]/sendMessage")]
    [InlineData("https://api.example.com/key-AAsecret-token-xyz/send?token=AAsecret-token-xyz", "https://api.example.com/key-[redacted]/send")]
    [InlineData("https://api.example.com/file/AAsecret-token-xyz%2Fmore/x.jpg", "https://api.example.com/file/[redacted]/more/x.jpg")]
    [InlineData("https://api.example.com/plain/path", "https://api.example.com/plain/path")]
    public void Should_mask_a_declared_secret_wherever_it_stands_in_the_path(string url, string expected) =>
        Assert.Equal(expected, PersonalData.RedactUrl(new Uri(url), ["AAsecret-token-xyz"]));
}
