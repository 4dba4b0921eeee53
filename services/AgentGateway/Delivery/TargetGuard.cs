using System.Net;
using System.Net.Sockets;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Keeps agents' webhook targets off the gateway's own network (SSRF): loopback, link-local (cloud metadata
/// at 169.254.169.254 and fd00:ec2::254 among them), private (RFC 1918, unique-local fc00::/7), carrier-grade
/// NAT (100.64.0.0/10), reserved (240.0.0.0/4, 198.18.0.0/15, 192.0.0.0/24), unspecified, multicast and broadcast
/// addresses are refused unless <c>allowPrivateNetworks</c>, and so are IPv6 addresses that carry one of those (NAT64,
/// 6to4, IPv4-compatible), and ports other than the web's. No proxy from the environment is used. The check runs on every address a name resolves to, at connect time (see
/// <see cref="ConnectAsync"/>), so a name that resolves differently later (DNS rebinding) is caught too.
/// </summary>
internal sealed class TargetGuard(bool allowPrivateNetworks, bool allowHttp)
{
    /// <summary>Why this URL may not be a target, or null. Checked when a target is configured; addresses are checked again at connect time.</summary>
    public string? Refusal(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http"))
        {
            return "must be an absolute http(s) URL";
        }
        if (url.Scheme == "http" && !allowHttp)
        {
            return "must use https";
        }
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "must not carry credentials";
        }
        if (url.Host.Equals("metadata.google.internal", StringComparison.OrdinalIgnoreCase)
            || (url.Host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase) && !allowPrivateNetworks))
        {
            return "points at an internal name";
        }
        if (!allowPrivateNetworks && !WebPorts.Contains(url.Port))
        {
            return $"port {url.Port} is not a web port ({string.Join(", ", WebPorts)})";
        }
        return IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && Refusal(address) is { } reason ? reason : null;
    }

    /// <summary>The ports a target may use where private networks are not allowed: any other could reach a non-web service.</summary>
    private static readonly int[] WebPorts = [443, 80, 8443, 8080];

    /// <summary>Why this address may not be connected to, or null.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        // IPv6 forms that carry an IPv4 address and reach it: NAT64 (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible (::/96)
        if (EmbeddedIPv4(address) is { } embedded)
        {
            return Refusal(embedded);
        }
        if (IsMetadata(address))
        {
            return $"{address} is a cloud metadata address";
        }
        if (allowPrivateNetworks)
        {
            return null;
        }
        return address.AddressFamily switch
        {
            _ when IPAddress.IsLoopback(address) => $"{address} is a loopback address",
            AddressFamily.InterNetwork when InRange(address, "0.0.0.0", 8) => $"{address} is not a routable address",
            AddressFamily.InterNetwork when InRange(address, "10.0.0.0", 8) || InRange(address, "172.16.0.0", 12) || InRange(address, "192.168.0.0", 16)
                => $"{address} is a private address",
            AddressFamily.InterNetwork when InRange(address, "169.254.0.0", 16) => $"{address} is a link-local address",
            AddressFamily.InterNetwork when InRange(address, "100.64.0.0", 10) => $"{address} is a carrier-grade NAT address",
            AddressFamily.InterNetwork when InRange(address, "224.0.0.0", 4) || address.Equals(IPAddress.Broadcast) => $"{address} is a multicast or broadcast address",
            AddressFamily.InterNetwork when InRange(address, "240.0.0.0", 4) || InRange(address, "198.18.0.0", 15) || InRange(address, "192.0.0.0", 24)
                => $"{address} is a reserved address",
            AddressFamily.InterNetworkV6 when InRange6(address, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48) => $"{address} is a local-use NAT64 address",
            AddressFamily.InterNetworkV6 when address.Equals(IPAddress.IPv6None) => $"{address} is not a routable address",
            AddressFamily.InterNetworkV6 when address.IsIPv6LinkLocal || address.IsIPv6SiteLocal => $"{address} is a link-local address",
            AddressFamily.InterNetworkV6 when address.IsIPv6UniqueLocal => $"{address} is a private address",
            AddressFamily.InterNetworkV6 when address.IsIPv6Multicast => $"{address} is a multicast address",
            _ => null,
        };
    }

    /// <summary>
    /// A connect callback for SocketsHttpHandler: resolves the host, refuses the connection if any address is
    /// refused, and connects to the checked addresses only.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } reason)
            {
                throw new TargetRefusedException($"{host} resolves to a refused address: {reason}");
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // AWS, GCP and Azure (IPv4), AWS (IPv6), Alibaba Cloud
    private static readonly IPAddress[] Metadata = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];

    private static bool IsMetadata(IPAddress address) => Metadata.Contains(address);

    /// <summary>The IPv4 address an IPv6 address carries and leads to, if it is of such a form.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        var bytes = address.GetAddressBytes();
        if (InRange6(address, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)
            || (bytes.Take(12).All(b => b == 0) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(bytes[12..16]);
        }
        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes[2..6]) : null;
    }

    private static bool InRange6(IPAddress address, byte[] prefixBytes, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            var expected = bit / 8 < prefixBytes.Length ? prefixBytes[bit / 8] : (byte)0;
            if ((bytes[bit / 8] & mask) != (expected & mask))
            {
                return false;
            }
        }
        return true;
    }

    private static bool InRange(IPAddress address, string network, int prefix)
    {
        var value = BitConverter.ToUInt32(address.GetAddressBytes().Reverse().ToArray());
        var start = BitConverter.ToUInt32(IPAddress.Parse(network).GetAddressBytes().Reverse().ToArray());
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & mask) == (start & mask);
    }
}

/// <summary>A target the guard refused (HttpClient hands it on as the inner exception): the delivery fails permanently with this reason.</summary>
internal sealed class TargetRefusedException(string message) : Exception(message);
