using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Routing.AgentGateway.Attachments;

namespace AgentGateway.Tests;

/// <summary>The scan hook's clamd client against a daemon speaking clamd's INSTREAM protocol, as clamd documents it.</summary>
public sealed class ClamAvScannerTests
{
    private const string Eicar = @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    [Fact]
    public async Task Should_send_the_file_in_chunks_and_read_a_clean_verdict()
    {
        var content = new byte[150_000];
        Random.Shared.NextBytes(content);
        using var clamd = new FakeClamd();

        var (verdict, found) = await new ClamAvScanner("127.0.0.1", clamd.Port).ScanAsync(content, CancellationToken.None);

        Assert.Equal((ScanVerdict.Clean, null), (verdict, found));
        Assert.Equal(content, await clamd.Received);
        Assert.Equal(4, clamd.Chunks); // three chunks of at most 64 KiB, then the zero length that ends the stream
    }

    [Fact]
    public async Task Should_name_what_it_found_in_an_infected_file()
    {
        using var clamd = new FakeClamd();

        var (verdict, found) = await new ClamAvScanner("127.0.0.1", clamd.Port).ScanAsync(Encoding.ASCII.GetBytes(Eicar), CancellationToken.None);

        Assert.Equal((ScanVerdict.Infected, "Eicar-Test-Signature"), (verdict, found));
    }

    [Fact]
    public async Task Should_throw_when_clamd_answers_something_else_so_the_fetch_is_tried_again()
    {
        using var clamd = new FakeClamd("INSTREAM size limit exceeded. ERROR");

        await Assert.ThrowsAsync<IOException>(() => new ClamAvScanner("127.0.0.1", clamd.Port).ScanAsync([1, 2, 3], CancellationToken.None));
    }

    /// <summary>One connection's worth of clamd: "zINSTREAM\0", length-prefixed chunks up to a zero length, one answer.</summary>
    private sealed class FakeClamd : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<byte[]> _received = new();

        public FakeClamd(string? answer = null)
        {
            _listener.Start();
            _ = ServeAsync(answer);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task<byte[]> Received => _received.Task;

        public int Chunks { get; private set; }

        private async Task ServeAsync(string? answer)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            var command = new byte[10];
            await stream.ReadExactlyAsync(command);
            Assert.Equal("zINSTREAM\0", Encoding.ASCII.GetString(command));
            using var content = new MemoryStream();
            var length = new byte[4];
            while (true)
            {
                await stream.ReadExactlyAsync(length);
                Chunks++;
                var size = BinaryPrimitives.ReadUInt32BigEndian(length);
                if (size == 0)
                {
                    break;
                }
                var chunk = new byte[size];
                await stream.ReadExactlyAsync(chunk);
                content.Write(chunk);
            }
            var bytes = content.ToArray();
            _received.SetResult(bytes);
            var verdict = answer ?? (Encoding.ASCII.GetString(bytes).Contains("EICAR", StringComparison.Ordinal) ? "stream: Eicar-Test-Signature FOUND" : "stream: OK");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(verdict + "\0"));
        }

        public void Dispose() => _listener.Stop();
    }
}
