using Routing.Database;
using Routing.Contracts;
using Routing.Inbound;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// Anybody can write any From: a mail whose sender no SPF, DKIM or DMARC verdict vouched for must not join the person
/// who owns the address, nor see their history (issue 16).
/// </summary>
public sealed class UnverifiedSenderTests : EngineTest
{
    private const string Maria = "maria@example.net";

    private Task<InboundOutcome> MailAsync(bool? verified) =>
        Engine.ReceiveAsync(TestMessages.Inbound("email", "email", Maria, at: Engine.Clock.GetUtcNow()) with { SenderVerified = verified });

    [Fact]
    public async Task Should_keep_a_forged_from_apart_from_the_customer_who_owns_the_address_and_from_her_open_conversation()
    {
        await Engine.AddAgentAsync("anna");
        await Engine.AddAgentAsync("ben");
        var real = await MailAsync(verified: true);

        var forged = await MailAsync(verified: false);
        var again = await MailAsync(verified: false);

        Assert.NotEqual(real.CustomerId, forged.CustomerId);
        Assert.NotEqual(real.ConversationId, forged.ConversationId);
        Assert.Equal((forged.CustomerId, forged.ConversationId), (again.CustomerId, again.ConversationId)); // one unverified writer, one conversation
        var routed = await Engine.EventsAsync<MessageRouted>();
        Assert.Single(routed, m => m.ConversationId == real.ConversationId);
        await using var tx = await Engine.Db.BeginAsync(CancellationToken.None);
        var apart = await CustomerStore.GetAsync(tx.Connection, tx.Transaction, forged.CustomerId, CancellationToken.None);
        Assert.Equal([("email-unverified", Maria)], apart!.Identities.Select(i => (i.Kind, i.Value)));
        // replies still go to the address itself, whoever wrote
        Assert.All(routed.Where(m => m.ConversationId == forged.ConversationId), m => Assert.Equal(("email", Maria), (m.Sender.Kind, m.Sender.Value)));
    }

    [Fact]
    public async Task Should_not_let_an_unverified_writer_who_came_first_become_the_person_who_then_writes_verified()
    {
        await Engine.AddAgentAsync("anna");
        var forged = await MailAsync(verified: false);
        await Engine.CloseAsync(forged.ConversationId);

        var real = await MailAsync(verified: true);

        Assert.NotEqual(forged.CustomerId, real.CustomerId);
    }

    [Fact]
    public async Task Should_take_a_sender_whose_channel_vouches_for_it_as_the_address_owner()
    {
        await Engine.AddAgentAsync("anna");
        var first = await MailAsync(verified: true);

        var vouched = await MailAsync(verified: null); // SMS, WhatsApp, Messenger, X: the provider authenticated the sender

        Assert.Equal((first.CustomerId, first.ConversationId), (vouched.CustomerId, vouched.ConversationId));
    }
}

/// <summary>Routing:Identity:UnverifiedSenders = Trust: every From is its owner's, for mail verified upstream.</summary>
public sealed class TrustedUnverifiedSenderTests : EngineTest
{
    private protected override void Configure(RoutingOptions options) => options.Identity.UnverifiedSenders = UnverifiedSenders.Trust;

    [Fact]
    public async Task Should_join_an_unverified_sender_to_the_address_owner_when_told_to_trust_it()
    {
        await Engine.AddAgentAsync("anna");
        var real = await Engine.ReceiveAsync(TestMessages.Inbound("email", "email", "maria@example.net", at: Engine.Clock.GetUtcNow()) with { SenderVerified = true });

        var unverified = await Engine.ReceiveAsync(TestMessages.Inbound("email", "email", "maria@example.net", at: Engine.Clock.GetUtcNow()) with { SenderVerified = false });

        Assert.Equal((real.CustomerId, real.ConversationId), (unverified.CustomerId, unverified.ConversationId));
    }
}
