using Routing.Database;

namespace Routing.IntegrationTests.Engine;

public sealed class IdentityTests : EngineTest
{
    [Fact]
    public async Task Should_merge_two_customers_and_unmerge_them_back()
    {
        await Engine.AddAgentAsync("anna");
        await Engine.AddAgentAsync("ben");
        var email = await Engine.ReceiveAsync("email", "email", "maria@example.com");
        var phone = await Engine.ReceiveAsync("sms", "phone", "+393331234567");
        await Engine.CloseAsync(email.ConversationId);
        await Engine.CloseAsync(phone.ConversationId);
        await Engine.SetOwnersAsync(phone.CustomerId, "ben");

        await using (var tx = await Engine.Db.BeginAsync(CancellationToken.None))
        {
            await CustomerStore.MergeAsync(tx.Connection, tx.Transaction, email.CustomerId, phone.CustomerId, tx.Now, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        var merged = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");
        Assert.Equal(email.CustomerId, merged.CustomerId);
        Assert.Equal("ben", merged.AgentId); // the merged customer's owner counts for the person
        await Engine.CloseAsync(merged.ConversationId);

        await using (var tx = await Engine.Db.BeginAsync(CancellationToken.None))
        {
            Assert.NotNull(await CustomerStore.UnmergeAsync(tx.Connection, tx.Transaction, email.CustomerId, null, tx.Now, CancellationToken.None));
            await tx.CommitAsync(CancellationToken.None);
        }

        var after = await Engine.ReceiveAsync("whatsapp", "phone", "393331234567");
        Assert.Equal(phone.CustomerId, after.CustomerId);
        await using var read = await Engine.Db.BeginAsync(CancellationToken.None);
        var survivor = await CustomerStore.GetAsync(read.Connection, read.Transaction, email.CustomerId, CancellationToken.None);
        Assert.Equal(["email"], survivor!.Identities.Select(i => i.Kind));
        Assert.Empty(survivor.MergedCustomers);
    }
}
