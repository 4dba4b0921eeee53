using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// What channels' providers say about a person (issue 24, enrichment): a profile names the customer whichever of the
/// profile and the first message arrives first, gives the address its handle, picture and locale, never renames a customer
/// who has a name, gives way to a newer profile, and a profile that cannot be right goes to the error queue with its reason.
/// </summary>
public sealed class CustomerProfileTests : BrokerTest
{
    [Fact]
    public async Task Should_name_the_customer_from_the_profile_whether_it_comes_before_or_after_the_first_message()
    {
        await CreateAgentAsync("ben", 5, ["facebook", "instagram"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();

        // the profile first: the identity does not exist yet, and takes the name when it is created
        await Broker.PublishAsync(Profile("instagram", "6912345", "Nina Ferri", handle: "nina.ferri", picture: "https://cdn.example.com/nina.jpg"));
        await WaitForProfileAsync("instagram", "6912345");
        var nina = TestMessages.Inbound("instagram", "instagram", "6912345", "ig-1", "Is the green lamp still there?");
        await Broker.PublishAsync(nina);
        var ninaId = (await routed.WaitForAsync(r => r.MessageId == nina.MessageId)).CustomerId;
        // the message first: the customer has no name until the profile comes
        var paolo = TestMessages.Inbound("facebook", "facebook", "7712345", "m-1", "Open on Sunday?");
        await Broker.PublishAsync(paolo);
        var paoloId = (await routed.WaitForAsync(r => r.MessageId == paolo.MessageId)).CustomerId;
        Assert.Equal(JsonValueKind.Null, (await CustomerAsync(paoloId)).GetProperty("displayName").ValueKind);
        await Broker.PublishAsync(Profile("facebook", "7712345", "Paolo Conti", locale: "it_IT"));

        var named = await Eventually.ValueAsync("Paolo named by his profile", async () =>
            await CustomerAsync(paoloId) is var c && c.GetProperty("displayName").GetString() == "Paolo Conti" ? c : (JsonElement?)null);
        Assert.Equal("it_IT", named.GetProperty("identities")[0].GetProperty("locale").GetString());
        var ninaNow = await CustomerAsync(ninaId);
        Assert.Equal("Nina Ferri", ninaNow.GetProperty("displayName").GetString());
        var address = ninaNow.GetProperty("identities")[0];
        Assert.Equal(("Nina Ferri", "nina.ferri", "https://cdn.example.com/nina.jpg"),
            (address.GetProperty("displayName").GetString(), address.GetProperty("handle").GetString(), address.GetProperty("pictureUrl").GetString()));
    }

    [Fact]
    public async Task Should_keep_the_newest_profile_and_leave_a_named_customer_their_name()
    {
        await CreateAgentAsync("anna", 5, ["twitter"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var tom = TestMessages.Inbound("twitter", "twitter", "1007", "dm-1", "My code fails", "Tom B.");
        await Broker.PublishAsync(tom);
        var tomId = (await routed.WaitForAsync(r => r.MessageId == tom.MessageId)).CustomerId;
        var now = DateTimeOffset.UtcNow;

        await Broker.PublishAsync(Profile("twitter", "1007", "Tom Baker", handle: "tombaker", at: now));
        await Eventually.TrueAsync("the newer profile kept", async () =>
            (await CustomerAsync(tomId)).GetProperty("identities")[0].GetProperty("handle").GetString() == "tombaker");
        await Broker.PublishAsync(Profile("twitter", "1007", "Thomas Old", handle: "old_handle", at: now.AddHours(-1)));
        // a later profile of another address, applied after the older one above (one queue, in order), tells it was left
        await Broker.PublishAsync(Profile("twitter", "2008", "Someone Else", at: now));
        await WaitForProfileAsync("twitter", "2008");

        var customer = await CustomerAsync(tomId);
        Assert.Equal("Tom B.", customer.GetProperty("displayName").GetString());
        var address = customer.GetProperty("identities")[0];
        Assert.Equal(("Tom Baker", "tombaker"), (address.GetProperty("displayName").GetString(), address.GetProperty("handle").GetString()));
    }

    [Fact]
    public async Task Should_move_a_profile_that_cannot_be_right_to_the_error_queue_with_its_reason_and_keep_serving()
    {
        await Broker.PublishAsync(Profile("facebook", "7713", "Paolo", picture: "javascript:alert(1)"));
        await Broker.PublishAsync(Profile("sms", "not a phone", "Someone") with { Address = new CustomerAddress { Kind = "phone", Value = "not a phone", DisplayName = "Someone" } });
        await Broker.PublishAsync(Profile("facebook", "7714", new string('x', 201)));
        await Broker.PublishAsync(Profile("facebook", "7715", "Good Name"));

        await WaitForProfileAsync("facebook", "7715");
        var reasons = (await WaitForErrorsAsync("customer-profile-observed_error", 3)).Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message", "")).ToList();
        Assert.Contains(reasons, r => r.Contains("pictureUrl", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("address", StringComparison.Ordinal) && r.Contains("phone number", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("address.displayName", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("not a phone", StringComparison.Ordinal) || r.Contains("alert", StringComparison.Ordinal));
        Assert.True((await Api.GetAsync("/health/ready")).IsSuccessStatusCode);
    }

    private static CustomerProfileObserved Profile(string kind, string value, string? name, string? handle = null, string? picture = null, string? locale = null,
        DateTimeOffset? at = null) => new()
    {
        Channel = kind,
        ChannelAccount = "account-1",
        Address = new CustomerAddress { Kind = kind, Value = value, DisplayName = name },
        Handle = handle,
        PictureUrl = picture,
        Locale = locale,
        ObservedAt = at ?? DateTimeOffset.UtcNow,
    };

    private async Task<JsonElement> CustomerAsync(Guid id) => await Api.GetFromJsonAsync<JsonElement>($"/customers/{id}");

    private Task WaitForProfileAsync(string kind, string value) =>
        Eventually.TrueAsync($"the {kind} profile kept", async () =>
        {
            await using var connection = await Database.DataSource.OpenConnectionAsync();
            return await Dapper.SqlMapper.ExecuteScalarAsync<int>(connection, "select count(*) from address_profiles where kind = @kind and value = @value", new { kind, value }) == 1;
        });
}
