using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Delivery;

/// <summary>A target as the admin API lists it (never its secret).</summary>
internal sealed record TargetRow(Guid Id, string AgentId, string Kind, string? Url, string? Address, string? SlackUserId, bool Enabled,
    string? DisabledReason, DateTime CreatedAt);

/// <summary>The kinds of agents' tools a target is.</summary>
internal static class TargetKinds
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Email = "email";
}

/// <summary>Agents' targets: the webhooks, Slack conversations and mailboxes their events are delivered to.</summary>
internal sealed class TargetStore(NpgsqlDataSource db)
{
    public Task<Guid> AddTargetAsync(string agentId, string url, byte[] secretCiphertext, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Webhook, url, secretCiphertext, null, null, ct);

    public Task<Guid> AddSlackTargetAsync(string agentId, string channel, string slackUserId, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Slack, null, null, channel, slackUserId, ct);

    public Task<Guid> AddEmailTargetAsync(string agentId, string mailbox, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Email, null, null, mailbox, null, ct);

    private async Task<Guid> AddAsync(string agentId, string kind, string? url, byte[]? secretCiphertext, string? address, string? slackUserId,
        CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_targets (id, agent_id, kind, url, secret_ciphertext, address, slack_user_id)
            values (@id, @agentId, @kind, @url, @secretCiphertext, @address, @slackUserId)
            """, new { id, agentId, kind, url, secretCiphertext, address, slackUserId }, cancellationToken: ct));
        return id;
    }

    public async Task<IReadOnlyList<TargetRow>> TargetsAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TargetRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, kind, url, address, slack_user_id as SlackUserId, enabled, disabled_reason as DisabledReason,
                   created_at as CreatedAt
            from gateway_targets where agent_id = @agentId order by created_at
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    public async Task<TargetRow?> TargetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TargetRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, kind, url, address, slack_user_id as SlackUserId, enabled, disabled_reason as DisabledReason,
                   created_at as CreatedAt
            from gateway_targets where id = @id
            """, new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// The agent a Slack user acts for: the one agent whose enabled Slack target names that user (null when none, or when
    /// several agents name the same Slack user, which would make the user's actions ambiguous).
    /// </summary>
    public async Task<string?> AgentOfSlackUserAsync(string slackUserId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var agents = (await connection.QueryAsync<string>(new CommandDefinition(
            "select distinct agent_id from gateway_targets where kind = 'slack' and slack_user_id = @slackUserId and enabled limit 2",
            new { slackUserId }, cancellationToken: ct))).ToList();
        return agents.Count == 1 ? agents[0] : null;
    }

    /// <summary>The target is gone (410) or refused: it is disabled, and its pending deliveries are abandoned with the reason.</summary>
    public async Task<bool> DisableTargetAsync(Guid targetId, int? status, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var found = await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_targets set enabled = false, disabled_reason = @reason, updated_at = @now where id = @targetId",
            new { targetId, reason, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_deliveries set status = 'abandoned', last_status = coalesce(@status, last_status), last_error = @reason where target_id = @targetId and status = 'pending'",
            new { targetId, status, reason }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return found == 1;
    }
}
