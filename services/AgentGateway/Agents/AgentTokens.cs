using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Agents;

/// <summary>A token as the admin API lists it: never the token itself.</summary>
internal sealed record AgentTokenRow(Guid Id, string AgentId, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt);

/// <summary>
/// Agents' bearer tokens: "agt_" and 32 random bytes (base64url), shown once when issued. Only their SHA-256 is
/// stored, so a database dump yields no usable token. A token expires (Gateway:AgentTokenLifetime, or its own lifetime);
/// a revoked or expired one stops working at once, open event streams included (they look again at every wake-up).
/// </summary>
internal sealed class AgentTokens(NpgsqlDataSource db)
{
    private const string Prefix = "agt_";

    public async Task<(Guid Id, string Token)> IssueAsync(string agentId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var id = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_agent_tokens (id, agent_id, token_hash, prefix, created_at, expires_at)
            values (@id, @agentId, @hash, @prefix, @now, @expiresAt)
            """,
            new { id, agentId, hash = Hash(token), prefix = token[..12], now = now.UtcDateTime, expiresAt = expiresAt.UtcDateTime }, cancellationToken: ct));
        return (id, token);
    }

    /// <summary>Whether a token can be one the admin API issued (checked before it is hashed and looked up).</summary>
    public static bool IsWellFormed(string token) => token.StartsWith(Prefix, StringComparison.Ordinal) && token.Length <= 100;

    /// <summary>The agent the live token with this hash belongs to, or null (unknown, expired or revoked): every request, and an open event stream again.</summary>
    public async Task<string?> AgentOfAsync(byte[] hash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "select agent_id from gateway_agent_tokens where token_hash = @hash and revoked_at is null and (expires_at is null or expires_at > @now)",
            new { hash, now = now.UtcDateTime }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AgentTokenRow>> ListAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<AgentTokenRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, prefix, created_at as CreatedAt, expires_at as ExpiresAt, revoked_at as RevokedAt
            from gateway_agent_tokens where agent_id = @agentId order by created_at
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Revokes the token; the agent it belonged to, or null for no such token.</summary>
    public async Task<string?> RevokeAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "update gateway_agent_tokens set revoked_at = coalesce(revoked_at, @now) where id = @id returning agent_id",
            new { id, now = now.UtcDateTime }, cancellationToken: ct));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
