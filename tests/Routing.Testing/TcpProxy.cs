using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Routing.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server, for outages that touch one service under test and nothing
/// else on the shared server: <see cref="Cut"/> resets every open connection and refuses new ones (what a client
/// sees when PostgreSQL or RabbitMQ is killed, or fails over), <see cref="Restore"/> lets connections through again.
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

    /// <summary>The outage begins: open connections are reset, new ones closed at once.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var client in _open.Keys)
        {
            Reset(client);
        }
    }

    /// <summary>The outage ends.</summary>
    public void Restore() => _cut = false;

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
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
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
