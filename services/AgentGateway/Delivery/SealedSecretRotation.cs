using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// After a key rotation (Gateway:SecretKey replaced, the old key in Gateway:PreviousSecretKeys), seals every target's
/// secret again under the current key, once at start, so the previous key can be removed at the next rollout. Each row
/// is updated only if it still holds what was read, so replicas starting together do not undo each other.
/// </summary>
internal sealed class SealedSecretRotation(NpgsqlDataSource db, SecretBox box, ILogger<SealedSecretRotation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var resealed = await ResealAsync(stoppingToken);
                if (resealed > 0)
                {
                    logger.LogInformation("Sealed {Count} target secrets again under the current Gateway:SecretKey", resealed);
                }
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < 30)
            {
                // the database may not be there yet: try again, a little later each time
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt * 2, 30)), stoppingToken);
            }
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
