using Dapper;
using Npgsql;
using Routing.Contracts;

namespace Routing.AgentGateway.Attachments;

/// <summary>The attachments' rows: registered with their messages, claimed by the fetcher, settled, found for an agent, swept.</summary>
internal sealed class AttachmentStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// A statement of the inbound-message batch (ConversationStore): the attachments of the messages stored, for conversation
    /// @id, pending; a message stored again registers nothing again.
    /// </summary>
    public const string Register = """
        insert into gateway_attachments (id, message_id, conversation_id, position, channel, source, content_type, file_name, size_bytes,
            status, reason, next_attempt_at, created_at)
        select a.id, a.message_id, @id, a.position, a.channel, a.source, a.content_type, a.file_name, a.size_bytes,
            case when a.source is null then 'refused' else 'pending' end,
            case when a.source is null then 'the channel handed over its name, not the file' end, @now, @now
        from unnest(@attachmentIds, @attachmentMessages, @attachmentPositions, @attachmentChannels, @attachmentSources, @attachmentTypes,
            @attachmentNames, @attachmentSizes) as a(id, message_id, position, channel, source, content_type, file_name, size_bytes)
        on conflict (id) do nothing
        """;

    public static IReadOnlyList<AttachmentRow> Rows(IEnumerable<ConversationMessage> messages) =>
        messages.SelectMany(m => m.Attachments.Select((a, i) => new AttachmentRow
        {
            Id = AttachmentIds.For(m.MessageId, i),
            MessageId = m.MessageId,
            Position = i,
            Channel = m.Channel,
            Source = string.IsNullOrWhiteSpace(a.Url) ? null : a.Url,
            ContentType = a.ContentType,
            FileName = a.FileName,
            SizeBytes = a.SizeBytes,
        })).ToList();

    private const string Columns = """
        id, message_id, conversation_id, position, channel, source, content_type, file_name, size_bytes, sha256, status, reason, scan,
        attempts, next_attempt_at, created_at, stored_at, uploaded_by
        """;

    public async Task<AttachmentRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttachmentRow>(new CommandDefinition(
            $"select {Columns} from gateway_attachments where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Whether <paramref name="agentId"/> may open it: the conversation is theirs, or its message was shown to them.</summary>
    public async Task<bool> VisibleToAsync(AttachmentRow attachment, string agentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            select coalesce(@UploadedBy = @agentId, false)
                or exists (select 1 from gateway_messages where id = @MessageId and announced_to = @agentId)
                or exists (select 1 from gateway_conversations where id = @ConversationId and agent_id = @agentId)
                or exists (select 1 from gateway_messages m join gateway_conversations c on c.id = m.conversation_id
                           where m.direction = 'out' and m.attachment_ids @> array[@Id] and c.agent_id = @agentId)
            """, new { attachment.Id, attachment.MessageId, attachment.ConversationId, attachment.UploadedBy, agentId }, cancellationToken: ct));
    }

    /// <summary>Records a file <paramref name="agentId"/> uploaded, its content already in the store: theirs to send in replies.</summary>
    public async Task UploadedAsync(Guid id, string agentId, string contentType, string? fileName, long size, string sha256, string scan, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_attachments (id, channel, content_type, file_name, size_bytes, sha256, status, scan, attempts, next_attempt_at,
                created_at, stored_at, uploaded_by)
            values (@id, 'upload', @contentType, @fileName, @size, @sha256, 'stored', @scan, 0, @now, @now, @now, @agentId)
            on conflict (id) do nothing
            """, new { id, agentId, contentType, fileName, size, sha256, scan, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>The attachments <paramref name="ids"/> that <paramref name="agentId"/> may open, in no particular order.</summary>
    public async Task<IReadOnlyList<AttachmentRow>> VisibleAsync(IReadOnlyCollection<Guid> ids, string agentId, CancellationToken ct)
    {
        var rows = new List<AttachmentRow>();
        foreach (var id in ids.Distinct())
        {
            if (await GetAsync(id, ct) is { } row && await VisibleToAsync(row, agentId, ct))
            {
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>
    /// Takes the attachment <paramref name="id"/> (when given) or the next due one to fetch, for <paramref name="lease"/>: no
    /// other replica takes it meanwhile, and if this one dies it is due again when the lease ends. Null when there is none.
    /// </summary>
    public async Task<AttachmentRow?> ClaimAsync(Guid? id, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttachmentRow>(new CommandDefinition(
            $"""
            update gateway_attachments set next_attempt_at = @until
            where id = (select id from gateway_attachments
                        where status = 'pending' and next_attempt_at <= @now and (@id::uuid is null or id = @id)
                        order by next_attempt_at limit 1 for update skip locked)
            returning {Columns}
            """, new { id, now = now.UtcDateTime, until = (now + lease).UtcDateTime }, cancellationToken: ct));
    }

    public async Task StoredAsync(Guid id, string contentType, long size, string sha256, string scan, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_attachments set status = 'stored', source = null, content_type = @contentType, size_bytes = @size, sha256 = @sha256,
                scan = @scan, stored_at = @now, attempts = attempts + 1, reason = null
            where id = @id and status = 'pending'
            """, new { id, contentType, size, sha256, scan, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>Given up for good (refused or failed): <paramref name="reason"/> says why in words an agent can read, never the provider's reference.</summary>
    public async Task GiveUpAsync(Guid id, string status, string reason, string? scan, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_attachments set status = @status, source = null, reason = @reason, scan = coalesce(@scan, scan), attempts = attempts + 1
            where id = @id and status = 'pending'
            """, new { id, status, reason, scan }, cancellationToken: ct));
    }

    public async Task RetryAsync(Guid id, string reason, DateTimeOffset next, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_attachments set attempts = attempts + 1, reason = @reason, next_attempt_at = @next where id = @id and status = 'pending'",
            new { id, reason, next = next.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>Stored files past retention, oldest first: their ids, for the store to delete.</summary>
    public async Task<IReadOnlyList<Guid>> ExpiredAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Guid>(new CommandDefinition(
            "select id from gateway_attachments where status = 'stored' and stored_at < @before order by stored_at limit @limit",
            new { before = before.UtcDateTime, limit }, cancellationToken: ct))).ToList();
    }

    public async Task MarkDeletedAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_attachments set status = 'deleted', reason = 'kept for the retention period, then deleted' where id = @id and status = 'stored'",
            new { id }, cancellationToken: ct));
    }
}

internal sealed record AttachmentRow
{
    public Guid Id { get; init; }
    public Guid? MessageId { get; init; }
    public Guid? ConversationId { get; init; }
    public int? Position { get; init; }
    public string Channel { get; init; } = "";
    public string? Source { get; init; }
    public string ContentType { get; init; } = "";
    public string? FileName { get; init; }
    public long? SizeBytes { get; init; }
    public string? Sha256 { get; init; }
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string? Scan { get; init; }
    public int Attempts { get; init; }
    public DateTime NextAttemptAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? StoredAt { get; init; }

    /// <summary>The agent who uploaded it, for a file an agent sends; null for one a customer sent.</summary>
    public string? UploadedBy { get; init; }
}
