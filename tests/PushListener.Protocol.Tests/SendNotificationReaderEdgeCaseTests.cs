using System.Text;
using Xunit;

namespace PushListener.Protocol.Tests;

/// <summary>TimeStamp and text edge cases: out-of-range offsets, zone-less times, elements where text belongs.</summary>
[Collection(nameof(HostTimeZoneTests))]
public sealed class SendNotificationReaderEdgeCaseTests
{
    /// <summary>
    /// Legal-looking xs:dateTime values whose offset is out of range or whose UTC instant falls outside DateTimeOffset:
    /// XmlConvert.ToDateTimeOffset throws ArgumentOutOfRangeException for them; the reader must turn that into a Sender
    /// fault, not let it escape as a Server error that Exchange would retry forever.
    /// </summary>
    [Theory]
    [InlineData("9999-12-31T23:59:59-14:00")]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("2026-11-20T10:00:00+15:00")]
    public void Read_TimeStampOutsideDateTimeOffsetRange_ThrowsSenderPushRequestException(string timeStamp)
    {
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", string.Empty, timeStamp));

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Contains("TimeStamp", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A TimeStamp without a zone designator would get the listener host's local offset from XmlConvert.ToDateTimeOffset,
    /// so the same push would yield different instants on differently configured hosts. The reader reads it as UTC.
    /// </summary>
    [Fact]
    public void Read_TimeStampWithoutZone_DoesNotDependOnHostTimeZone()
    {
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", string.Empty, "2026-11-20T10:00:00"));

        var inNewYork = ReadTimeStampIn("America/New_York", body);
        var inTokyo = ReadTimeStampIn("Asia/Tokyo", body);

        Assert.Equal(inNewYork, inTokyo);
        Assert.Equal("2026-11-20T10:00:00.0000000+00:00", inTokyo);
    }

    /// <summary>
    /// A well-formed push whose SubscriptionId holds a child element is refused, with a reason that says so rather than
    /// claiming the body is not well-formed XML.
    /// </summary>
    [Fact]
    public void Read_ElementInsideSubscriptionId_RefusedWithoutClaimingMalformedXml()
    {
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", string.Empty)
            .Replace(Push.SubscriptionId + "</t:SubscriptionId>", Push.SubscriptionId + "<t:Part/></t:SubscriptionId>", StringComparison.Ordinal));

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.DoesNotContain("not well-formed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SubscriptionId must hold text", ex.Message, StringComparison.Ordinal);
    }

    private static string ReadTimeStampIn(string timeZone, byte[] body)
    {
        var original = Environment.GetEnvironmentVariable("TZ");
        try
        {
            Environment.SetEnvironmentVariable("TZ", timeZone);
            TimeZoneInfo.ClearCachedData();
            var timeStamp = SendNotificationReader.Read(body).Messages[0].Notification!.Events[0].TimeStamp;
            return timeStamp?.ToString("o", System.Globalization.CultureInfo.InvariantCulture) ?? "null";
        }
        catch (PushRequestException ex)
        {
            return "refused: " + ex.Message;
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", original);
            TimeZoneInfo.ClearCachedData();
        }
    }
}

/// <summary>Tests that change the process time zone run alone.</summary>
[CollectionDefinition(nameof(HostTimeZoneTests), DisableParallelization = true)]
public sealed class HostTimeZoneTests;
