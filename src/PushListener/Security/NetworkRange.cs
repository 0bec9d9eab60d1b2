using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace PushListener.Security;

/// <summary>An allow-list entry: a CIDR range or a single address (a /32 or /128), IPv4 or IPv6.</summary>
internal sealed partial class NetworkRange
{
    private readonly IPNetwork _network;

    private NetworkRange(IPNetwork network) => _network = network;

    public override string ToString() => _network.ToString();

    /// <summary>
    /// Whether <paramref name="address"/> is in the range. Dual-stack sockets report IPv4 clients as <c>::ffff:a.b.c.d</c>,
    /// and an entry may be written either way, so both forms of an IPv4 address are tried.
    /// </summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_network.Contains(address))
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return _network.Contains(address.MapToIPv4());
        }

        return address.AddressFamily == AddressFamily.InterNetwork && _network.Contains(address.MapToIPv6());
    }

    /// <summary>
    /// Parses <c>address</c> or <c>address/prefix</c>. Stricter than <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>:
    /// IPv4 must be a dotted quad (no <c>10.1</c>, hex or octal forms, which silently mean other addresses), no IPv6 zone,
    /// and no bits set after the prefix (<c>10.1.0.0/8</c> is more likely a typo than a wish for 10.0.0.0/8).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NetworkRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            error = "the entry is empty";
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? value : value[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            error = $"'{addressText}' is not an IPv4 or IPv6 address";
            return false;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = value[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit) || (prefix = int.Parse(prefixText, CultureInfo.InvariantCulture)) > maxPrefix)
            {
                error = $"the prefix length must be a number from 0 to {maxPrefix}";
                return false;
            }
        }

        var network = Masked(address, prefix);
        if (!network.Equals(address))
        {
            error = $"bits are set after the /{prefix} prefix; the range is {network}/{prefix}";
            return false;
        }

        range = new NetworkRange(new IPNetwork(network, prefix));
        error = null;
        return true;
    }

    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // Zones (fe80::1%eth0) name a local interface, not a sender; brackets belong in URLs.
            return !text.Contains('%', StringComparison.Ordinal) && !text.Contains('[', StringComparison.Ordinal)
                && IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return DottedQuad().IsMatch(text) && IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }

    [GeneratedRegex(@"^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
