using System.Net;
using PushListener.Security;

namespace PushListener.Tests.Security;

public sealed class NetworkRangeTests
{
    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0/24")]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")]
    [InlineData("203.0.113.9", "203.0.113.9/32")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1/128")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("::/0", "::/0")]
    [InlineData("::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120")]
    public void TryParse_Valid(string text, string expected)
    {
        Assert.True(NetworkRange.TryParse(text, out var range, out var error), error);
        Assert.Equal(expected, range.ToString());
    }

    [Theory]
    [InlineData("10.0.0.300/8", "'10.0.0.300' is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/33", "prefix length must be a number from 0 to 32")]
    [InlineData("2001:db8::/129", "from 0 to 128")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/8/8", "prefix length")]
    [InlineData("10.0.0.0/ 8", "prefix length")]
    [InlineData("10.1.0.0/8", "the range is 10.0.0.0/8")]
    [InlineData("2001:db8::1/32", "the range is 2001:db8::/32")]
    [InlineData("10", "not an IPv4 or IPv6 address")]
    [InlineData("10.0.0", "not an IPv4 or IPv6 address")]
    [InlineData("0x7f.0.0.1", "not an IPv4 or IPv6 address")]
    [InlineData("010.0.0.1", "not an IPv4 or IPv6 address")]
    [InlineData("fe80::1%eth0", "not an IPv4 or IPv6 address")]
    [InlineData("[2001:db8::1]", "not an IPv4 or IPv6 address")]
    [InlineData("exchange.example.org", "not an IPv4 or IPv6 address")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    public void TryParse_Invalid_SaysWhy(string? text, string why)
    {
        Assert.False(NetworkRange.TryParse(text, out var range, out var error));
        Assert.Null(range);
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0", true)]
    [InlineData("192.0.2.0/24", "192.0.2.255", true)]
    [InlineData("192.0.2.0/24", "192.0.3.0", false)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.77", true)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.3.1", false)]
    [InlineData("192.0.2.0/24", "2001:db8::c000:24d", false)]
    [InlineData("::ffff:192.0.2.0/120", "192.0.2.77", true)]
    [InlineData("::ffff:192.0.2.0/120", "192.0.3.77", false)]
    [InlineData("203.0.113.9", "203.0.113.9", true)]
    [InlineData("203.0.113.9", "203.0.113.10", false)]
    [InlineData("203.0.113.9", "::ffff:203.0.113.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8::/32", "192.0.2.1", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1", "2001:db8::2", false)]
    [InlineData("0.0.0.0/0", "198.51.100.1", true)]
    [InlineData("0.0.0.0/0", "::ffff:198.51.100.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    public void Contains(string range, string address, bool expected)
    {
        Assert.True(NetworkRange.TryParse(range, out var parsed, out _));

        Assert.Equal(expected, parsed.Contains(IPAddress.Parse(address)));
    }
}
