using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.AgentGateway.Delivery;
using Routing.AgentGateway.Email;

namespace AgentGateway.Tests;

/// <summary>
/// Gateway:SecretKey rotated without downtime (issue 16): the new key seals, the previous one still opens what it sealed
/// and still holds the reply addresses it made, and the gateway seals every stored secret again under the new key.
/// </summary>
public sealed class SecretRotationTests
{
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Should_open_what_the_previous_key_sealed_and_seal_only_with_the_current_one()
    {
        var before = new SecretBox(OldKey);
        var sealedBefore = before.Seal("whsec_old");
        var after = new SecretBox(NewKey, [OldKey]);

        Assert.Equal("whsec_old", after.Open(sealedBefore));
        Assert.False(after.IsCurrent(sealedBefore));
        var sealedAfter = after.Seal("whsec_new");
        Assert.True(after.IsCurrent(sealedAfter));
        Assert.Equal("whsec_new", new SecretBox(NewKey).Open(sealedAfter));
        Assert.Throws<CryptographicException>(() => before.Open(sealedAfter)); // the old key alone cannot open the new
        Assert.Throws<CryptographicException>(() => new SecretBox(NewKey).Open(sealedBefore)); // once the old key is gone
    }

    [Fact]
    public void Should_open_a_secret_sealed_before_key_ids_and_refuse_a_tampered_one()
    {
        // the layout before key ids: nonce | tag | ciphertext
        var key = Convert.FromBase64String(OldKey);
        var plain = "whsec_legacy"u8.ToArray();
        var legacy = new byte[12 + 16 + plain.Length];
        RandomNumberGenerator.Fill(legacy.AsSpan(0, 12));
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(legacy.AsSpan(0, 12), plain, legacy.AsSpan(28), legacy.AsSpan(12, 16));
        }

        Assert.Equal("whsec_legacy", new SecretBox(NewKey, [OldKey]).Open(legacy));
        var tampered = new SecretBox(NewKey).Seal("whsec");
        tampered[^1] ^= 1;
        Assert.Throws<CryptographicException>(() => new SecretBox(NewKey).Open(tampered));
        Assert.Throws<ArgumentException>(() => new SecretBox(NewKey, [NewKey]));
    }

    [Fact]
    public void Should_keep_reply_addresses_made_under_the_previous_key_holding()
    {
        var conversation = Guid.NewGuid();
        var address = new ReplyAddress(OldKey).For("reply@example.com", conversation, "anna");
        var read = ReplyAddress.Read(address, "reply@example.com")!.Value;

        Assert.True(new ReplyAddress(NewKey, [OldKey]).Holds(conversation, read.Mac, "anna"));
        Assert.False(new ReplyAddress(NewKey).Holds(conversation, read.Mac, "anna"));
        var fresh = ReplyAddress.Read(new ReplyAddress(NewKey, [OldKey]).For("reply@example.com", conversation, "anna"), "reply@example.com")!.Value;
        Assert.True(new ReplyAddress(NewKey).Holds(conversation, fresh.Mac, "anna")); // made with the current key
    }

    [Fact]
    public async Task Should_seal_every_stored_secret_again_under_the_current_key()
    {
        await using var database = await GatewayDatabase.CreateAsync();
        var store = new TargetStore(database.DataSource);
        var target = await store.AddTargetAsync("anna", "https://tools.example.com/hook", new SecretBox(OldKey).Seal("whsec_anna"), CancellationToken.None);
        var box = new SecretBox(NewKey, [OldKey]);
        var rotation = new SealedSecretRotation(database.DataSource, box, TimeProvider.System, NullLogger<SealedSecretRotation>.Instance);

        Assert.Equal(1, await rotation.ResealAsync(CancellationToken.None));
        Assert.Equal(0, await rotation.ResealAsync(CancellationToken.None)); // nothing left under the old key

        await using var read = database.DataSource.CreateCommand("select secret_ciphertext from gateway_targets where id = $1");
        read.Parameters.Add(new Npgsql.NpgsqlParameter { Value = target });
        var stored = (byte[])(await read.ExecuteScalarAsync())!;
        Assert.Equal("whsec_anna", new SecretBox(NewKey).Open(stored)); // the old key can go now
    }
}
