using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Agents;

/// <summary>A token as the admin API lists it: never the token itself.</summary>
internal sealed record AgentTokenRow(Guid Id, string AgentId, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>
/// Agents' bearer tokens: "agt_" and 32 random bytes (base64url), shown once when issued. Only their SHA-256 is
/// stored, so a database dump yields no usable token; a revoked token stops working at once.
/// </summary>
internal sealed class AgentTokens(NpgsqlDataSource db)
{
    private const string Prefix = "agt_";

    public async Task<(Guid Id, string Token)> IssueAsync(string agentId, DateTimeOffset now, CancellationToken ct)
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var id = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into gateway_agent_tokens (id, agent_id, token_hash, prefix, created_at) values (@id, @agentId, @hash, @prefix, @now)",
            new { id, agentId, hash = Hash(token), prefix = token[..12], now = now.UtcDateTime }, cancellationToken: ct));
        return (id, token);
    }

    /// <summary>The agent a live token belongs to, or null (unknown, malformed or revoked).</summary>
    public async Task<string?> AgentOfAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "select agent_id from gateway_agent_tokens where token_hash = @hash and revoked_at is null", new { hash = Hash(token) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AgentTokenRow>> ListAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<AgentTokenRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, prefix, created_at as CreatedAt, revoked_at as RevokedAt
            from gateway_agent_tokens where agent_id = @agentId order by created_at
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    public async Task<bool> RevokeAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_agent_tokens set revoked_at = coalesce(revoked_at, @now) where id = @id", new { id, now = now.UtcDateTime }, cancellationToken: ct)) == 1;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
