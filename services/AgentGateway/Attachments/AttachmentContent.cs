using System.Data;
using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Attachments;

/// <summary>
/// Where attachments' bytes are kept (Gateway:Attachments:Store): the gateway's PostgreSQL, or a directory every replica
/// mounts. An S3-compatible store is a third implementation of this interface (services/AgentGateway/README.md).
/// </summary>
internal interface IAttachmentContent
{
    /// <summary>Keeps <paramref name="content"/> (already checked against the size limit) as <paramref name="id"/>'s, replacing any earlier copy.</summary>
    Task PutAsync(Guid id, byte[] content, CancellationToken ct);

    /// <summary>The bytes, or null when they are not (or no longer) kept.</summary>
    Task<Stream?> OpenAsync(Guid id, CancellationToken ct);

    Task DeleteAsync(Guid id, CancellationToken ct);
}

internal sealed class PostgresAttachmentContent(NpgsqlDataSource dataSource) : IAttachmentContent
{
    public async Task PutAsync(Guid id, byte[] content, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into gateway_attachment_content (id, content) values (@id, @content) on conflict (id) do update set content = excluded.content",
            new { id, content }, cancellationToken: ct));
    }

    public async Task<Stream?> OpenAsync(Guid id, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("select content from gateway_attachment_content where id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.CloseConnection, ct);
            if (!await reader.ReadAsync(ct))
            {
                await reader.DisposeAsync();
                return null;
            }
            // the stream reads the column as it goes; disposing it closes the reader and so the connection
            return new OwningStream(reader.GetStream(0), reader);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from gateway_attachment_content where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>A column's stream that also disposes its reader (and with it the connection).</summary>
    private sealed class OwningStream(Stream inner, NpgsqlDataReader owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await owner.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>Files under a directory, one per attachment, written to a temporary name and moved into place.</summary>
internal sealed class FileAttachmentContent(string directory) : IAttachmentContent
{
    public async Task PutAsync(Guid id, byte[] content, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"{id:N}.{Guid.NewGuid():N}.partial");
        await File.WriteAllBytesAsync(temporary, content, ct);
        File.Move(temporary, PathOf(id), overwrite: true);
    }

    public Task<Stream?> OpenAsync(Guid id, CancellationToken ct) =>
        Task.FromResult<Stream?>(File.Exists(PathOf(id)) ? new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true) : null);

    public Task DeleteAsync(Guid id, CancellationToken ct)
    {
        File.Delete(PathOf(id));
        return Task.CompletedTask;
    }

    private string PathOf(Guid id) => Path.Combine(directory, $"{id:N}");
}
