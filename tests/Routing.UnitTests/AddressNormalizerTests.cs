using Routing.Addresses;

namespace Routing.UnitTests;

public sealed class AddressNormalizerTests
{
    [Theory]
    [InlineData("+39 333 123 4567", "+393331234567")]
    [InlineData("393331234567", "+393331234567")] // WhatsApp's wa_id: country code, no plus
    [InlineData("0039 333-123-4567", "+393331234567")]
    [InlineData("+1 (415) 555-2671", "+14155552671")]
    public void Should_normalise_phone_numbers_to_e164(string raw, string expected)
    {
        Assert.True(AddressNormalizer.TryNormalize("phone", raw, out var address, out var error), error);
        Assert.Equal(new NormalizedAddress("phone", expected), address);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("+39+333")]
    [InlineData("not a number")]
    public void Should_reject_impossible_phone_numbers(string raw)
    {
        Assert.False(AddressNormalizer.TryNormalize("phone", raw, out _, out var error));
        Assert.Contains("phone number", error);
    }

    [Fact]
    public void Should_lower_case_email_and_kind()
    {
        Assert.True(AddressNormalizer.TryNormalize("Email", " Maria.Rossi@Example.COM ", out var address, out _));
        Assert.Equal(new NormalizedAddress("email", "maria.rossi@example.com"), address);
    }

    [Fact]
    public void Should_keep_other_kinds_as_given_but_trimmed()
    {
        Assert.True(AddressNormalizer.TryNormalize("facebook", " 1254459154682919 ", out var address, out _));
        Assert.Equal(new NormalizedAddress("facebook", "1254459154682919"), address);
    }

    [Theory]
    [InlineData(null, "x", "kind is required")]
    [InlineData("email", "", "value is required")]
    [InlineData("email", "not-an-address", "is not an email address")]
    public void Should_say_what_is_wrong(string? kind, string value, string expected)
    {
        Assert.False(AddressNormalizer.TryNormalize(kind, value, out _, out var error));
        Assert.Contains(expected, error);
    }
}
