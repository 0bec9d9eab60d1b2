using System.Net;
using Microsoft.Extensions.Options;

namespace PushListener.Security;

/// <summary>The parsed <c>PushListener:Senders:AllowedNetworks</c>.</summary>
internal sealed class SenderAllowList
{
    private readonly NetworkRange[] _ranges;

    public SenderAllowList(IOptions<SenderOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Invalid entries never get here: validation fails start-up first, naming them.
        var ranges = new List<NetworkRange>();
        foreach (var entry in options.Value.AllowedNetworks)
        {
            if (NetworkRange.TryParse(entry, out var range, out _))
            {
                ranges.Add(range);
            }
        }

        _ranges = [.. ranges];
    }

    /// <summary>Whether a list is configured; without one everyone may send.</summary>
    public bool IsRestricted => _ranges.Length > 0;

    public IReadOnlyList<NetworkRange> Ranges => _ranges;

    /// <summary>
    /// Whether <paramref name="address"/> may send. With a list, a connection without an IP address is refused: nothing
    /// proves where it comes from. A linear scan is enough: published sender ranges are a few dozen entries.
    /// </summary>
    public bool Allows(IPAddress? address)
    {
        if (_ranges.Length == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        foreach (var range in _ranges)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
