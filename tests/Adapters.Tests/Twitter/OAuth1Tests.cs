using Routing.OAuth;

namespace Adapters.Tests.Twitter;

/// <summary>The OAuth 1.0a signer against the published worked examples.</summary>
public sealed class OAuth1Tests
{
    /// <summary>
    /// X's "Creating a signature" example (https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature):
    /// the documented base string and signing key give hCtSmYh+iHYCEqBWrE7C7hYmtUk= (checked with Python's hmac; the
    /// page's printed tnnArxj06cWHq44gCs1OSKk/jLY= is well known not to follow from its own inputs).
    /// </summary>
    [Fact]
    public void Should_reproduce_x_documented_signature_and_header()
    {
        var url = new Uri("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
        var credentials = new OAuth1.Credentials("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");
        KeyValuePair<string, string>[] form = [KeyValuePair.Create("status", "Hello Ladies + Gentlemen, a signed OAuth request!")];

        var header = OAuth1.Authorization("POST", url, credentials, DateTimeOffset.FromUnixTimeSeconds(1318622958), form, nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg");

        Assert.Equal(
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", " +
            "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", " +
            "oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"",
            header);
    }

    [Fact]
    public void Should_build_x_documented_base_string()
    {
        var url = new Uri("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
        KeyValuePair<string, string>[] parameters =
        [
            new("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
            new("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            new("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "1318622958"),
            new("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            new("oauth_version", "1.0"),
        ];

        Assert.Equal(
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog" +
            "%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958" +
            "%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0" +
            "%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521",
            OAuth1.BaseString("POST", url, parameters));
    }

    /// <summary>RFC 5849 §1.2: the photos.example.net request, signature MdpQcU8iPSUjWoN/UDMsK2sui9I=.</summary>
    [Fact]
    public void Should_reproduce_rfc_5849_example_signature()
    {
        KeyValuePair<string, string>[] parameters =
        [
            new("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            new("oauth_token", "nnch734d00sl2jdk"),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131202"),
            new("oauth_nonce", "chapoH"),
        ];

        var signature = OAuth1.Signature("GET", new Uri("http://photos.example.net/photos?file=vacation.jpg&size=original"), parameters,
            "kd94hf93k423kf44", "pfkkdhi9sl3r4s00");

        Assert.Equal("MdpQcU8iPSUjWoN/UDMsK2sui9I=", signature);
    }

    /// <summary>RFC 5849 §3.4.1.1: repeated names, encoded query values, an empty value and a form body, normalized.</summary>
    [Fact]
    public void Should_normalize_rfc_5849_base_string_example()
    {
        KeyValuePair<string, string>[] parameters =
        [
            new("oauth_consumer_key", "9djdj82h48djs9d2"),
            new("oauth_token", "kkk9d7dh3k39sjv7"),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131201"),
            new("oauth_nonce", "7d8f3e4a"),
            new("c2", ""),
            new("a3", "2 q"),
        ];

        var baseString = OAuth1.BaseString("POST", new Uri("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"), parameters);

        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26" +
            "oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26" +
            "oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
            baseString);
    }

    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("An encoded string!", "An%20encoded%20string%21")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("☃", "%E2%98%83")]
    [InlineData("-._~", "-._~")]
    public void Should_percent_encode_as_x_documents(string value, string encoded) => Assert.Equal(encoded, OAuth1.Encode(value));
}
