using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Routing.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server, for outages that touch one service under test and nothing
/// else on the shared server: <see cref="Cut"/> resets every open connection and refuses new ones (what a client
/// sees when PostgreSQL or RabbitMQ is killed, or fails over), <see cref="BlackHole"/> keeps every connection open and
/// silently drops what goes through it (a partition, a firewall dropping packets: nobody is told anything), and
/// <see cref="Restore"/> lets connections through again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private volatile bool _blackHoled;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted since the start, refused ones included: proof that the client came back.</summary>
    public int Accepted { get; private set; }

    public static TcpProxy To(string host, int port) => new(host, port);

    /// <summary>A proxy in front of a PostgreSQL connection string's server, and that connection string through it.</summary>
    public static (TcpProxy Proxy, string ConnectionString) ForPostgres(string connectionString)
    {
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var proxy = To(direct.Host!, direct.Port);
        // A short connect timeout: during a cut, connections are refused at once rather than hanging.
        return (proxy, new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 }.ConnectionString);
    }

    /// <summary>A proxy in front of a URL's server (an amqp:// broker, say), and that URL through it.</summary>
    public static (TcpProxy Proxy, string Url) ForUrl(string url)
    {
        var direct = new Uri(url);
        var proxy = To(direct.Host, direct.Port);
        return (proxy, new UriBuilder(direct) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString());
    }

    /// <summary>The outage begins: open connections are reset, new ones closed at once.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var client in _open.Keys)
        {
            Reset(client);
        }
    }

    /// <summary>
    /// The partition begins: connections stay open and new ones are accepted, but no byte reaches the other side, so
    /// clients learn of it only from their own timeouts and heartbeats.
    /// </summary>
    public void BlackHole() => _blackHoled = true;

    /// <summary>
    /// The outage ends. Connections that lived through a black hole lost bytes mid-stream, so they are reset, as their
    /// peers' timeouts would have ended them.
    /// </summary>
    public void Restore()
    {
        if (_blackHoled)
        {
            _blackHoled = false;
            foreach (var client in _open.Keys)
            {
                Reset(client);
            }
        }
        _cut = false;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Accepted++;
            if (_cut)
            {
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            while (_blackHoled && !_stop.IsCancellationRequested)
            {
                // a connection opened into the black hole: it hangs, as its SYN would
                await Task.Delay(50, _stop.Token);
            }
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            var up = RelayAsync(client.GetStream(), server.GetStream());
            var down = RelayAsync(server.GetStream(), client.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // a reset or a stop: the connection ends either way
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>Copies one direction, dropping what passes while the proxy is a black hole.</summary>
    private async Task RelayAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (!_blackHoled)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
    }

    /// <summary>Closes with RST rather than FIN, as a dead peer's kernel would answer.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (Exception)
        {
            // already closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var client in _open.Keys)
        {
            Reset(client);
        }
        _stop.Dispose();
    }
}
