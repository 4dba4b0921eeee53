using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Routing.AgentGateway.Attachments;

/// <summary>What a scan found.</summary>
internal enum ScanVerdict
{
    NotScanned,
    Clean,
    Infected,
}

/// <summary>The hook every fetched file passes before an agent can open it.</summary>
internal interface IAttachmentScanner
{
    /// <summary>The verdict, and what was found when infected; throws when the scanner cannot answer (the fetch is tried again).</summary>
    Task<(ScanVerdict Verdict, string? Found)> ScanAsync(byte[] content, CancellationToken ct);
}

/// <summary>No scanner configured: files are served as "not scanned" (the agent API says so).</summary>
internal sealed class NoScanner : IAttachmentScanner
{
    public Task<(ScanVerdict, string?)> ScanAsync(byte[] content, CancellationToken ct) => Task.FromResult((ScanVerdict.NotScanned, (string?)null));
}

/// <summary>
/// ClamAV's daemon (Gateway:Attachments:ClamAv, host:port) over its INSTREAM command: the file in chunks, each after its
/// length as 4 bytes big-endian, then a zero length; clamd answers "stream: OK" or "stream: &lt;name&gt; FOUND".
/// </summary>
internal sealed class ClamAvScanner(string host, int port) : IAttachmentScanner
{
    private const int Chunk = 64 * 1024;

    public async Task<(ScanVerdict, string?)> ScanAsync(byte[] content, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, ct);
        await using var stream = client.GetStream();
        await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), ct);
        var length = new byte[4];
        for (var offset = 0; offset < content.Length; offset += Chunk)
        {
            var size = Math.Min(Chunk, content.Length - offset);
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)size);
            await stream.WriteAsync(length, ct);
            await stream.WriteAsync(content.AsMemory(offset, size), ct);
        }
        BinaryPrimitives.WriteUInt32BigEndian(length, 0);
        await stream.WriteAsync(length, ct);
        using var answer = new MemoryStream();
        var buffer = new byte[256];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            answer.Write(buffer, 0, read);
            if (buffer.AsSpan(0, read).Contains((byte)0))
            {
                break;
            }
        }
        var reply = Encoding.ASCII.GetString(answer.ToArray()).TrimEnd('\0', '\n');
        if (reply.EndsWith(" OK", StringComparison.Ordinal))
        {
            return (ScanVerdict.Clean, null);
        }
        if (reply.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            var name = reply["stream: ".Length..^" FOUND".Length];
            return (ScanVerdict.Infected, name);
        }
        throw new IOException($"clamd answered '{reply}'");
    }
}
