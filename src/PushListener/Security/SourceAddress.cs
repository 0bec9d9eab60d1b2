using System.Net;

namespace PushListener.Security;

/// <summary>One spelling per sender, for rate-limit partitions, counters and log lines.</summary>
internal static class SourceAddress
{
    /// <summary>The name used when the connection has no IP address (a Unix socket, an in-memory test server).</summary>
    public const string Unknown = "unknown";

    /// <summary>An IPv4 client on a dual-stack socket is the same sender as on an IPv4 socket.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static string NameOf(IPAddress? address) => address is null ? Unknown : Normalize(address).ToString();
}
