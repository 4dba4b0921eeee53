using Routing.ServiceDefaults;
using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// After a key rotation (Gateway:SecretKey replaced, the old key in Gateway:PreviousSecretKeys), seals every target's
/// secret again under the current key, once at start, so the previous key can be removed at the next rollout. Each row
/// is updated only if it still holds what was read, so replicas starting together do not undo each other.
/// </summary>
internal sealed class SealedSecretRotation(NpgsqlDataSource db, SecretBox box, TimeProvider time, ILogger<SealedSecretRotation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The database may not be there yet: tried again after 2 s, 4 s… up to 30 s, 30 times in all.
        var attempts = BackgroundRetry.Pipeline(time, attempt => TimeSpan.FromSeconds(Math.Min((attempt + 1) * 2, 30)),
            (ex, wait) => logger.LogWarning(ex, "Sealing target secrets under the current key failed; trying again in {Wait}", wait), maxAttempts: 29);
        var resealed = await attempts.ExecuteAsync(async ct => await ResealAsync(ct), stoppingToken);
        if (resealed > 0)
        {
            logger.LogInformation("Sealed {Count} target secrets again under the current Gateway:SecretKey", resealed);
        }
    }

    internal async Task<int> ResealAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(Guid Id, byte[] Secret)>(new CommandDefinition(
            "select id, secret_ciphertext from gateway_targets where secret_ciphertext is not null", cancellationToken: ct));
        var resealed = 0;
        foreach (var (id, secret) in rows.Where(r => !box.IsCurrent(r.Secret)))
        {
            resealed += await connection.ExecuteAsync(new CommandDefinition(
                "update gateway_targets set secret_ciphertext = @sealed where id = @id and secret_ciphertext = @secret",
                new { id, secret, @sealed = box.Seal(box.Open(secret)) }, cancellationToken: ct));
        }
        return resealed;
    }
}
