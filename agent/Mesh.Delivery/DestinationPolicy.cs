using System.Net;
using System.Net.Sockets;

namespace Mesh.Delivery;

/// <summary>
/// Refuses destinations in private, loopback, link-local, unique-local or cloud metadata ranges,
/// so a compromised provider cannot aim the agent at the customer's own network.
/// </summary>
public static class DestinationPolicy
{
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (b[0] & 0xfe) == 0xfc;
        }

        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] is >= 64 and <= 127, // carrier-grade NAT, RFC 6598
            169 => v4[1] == 254, // link-local, and 169.254.169.254 metadata
            172 => v4[1] is >= 16 and <= 31,
            192 => v4[1] == 168,
            _ => false,
        };
    }
}
