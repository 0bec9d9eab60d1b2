using PushListener.Handlers.Logging;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Handlers.Logging;

/// <summary>The log handler's line: kinds with counts, ids, the last watermark, ISO 8601 times; no record dumps.</summary>
public sealed class LogHandlerTests
{
    [Fact]
    public void Describe_AllEventTypes_KindsWithCountsIdsWatermarkAndIsoTimes()
    {
        var notification = SendNotificationReader.Read(Fixture.Bytes("all-event-types.xml")).Messages[0].Notification!;

        var summary = LogHandler.Describe(notification.Events, includeIds: true);

        Assert.Equal("Copied 1, Created 1, Deleted 1, Modified 2, Moved 1, NewMail 1, Status 1, FreeBusyChanged 1", summary.Kinds);
        Assert.Equal(notification.LastWatermark, summary.Watermark);
        Assert.Equal("2026-11-20T10:00:01Z", summary.From);
        Assert.Equal("2026-11-20T10:00:09Z", summary.To);
        var firstItem = notification.Events.First(e => e.ObjectId is not null && !e.IsFolderEvent).ObjectId!.Value.Id;
        Assert.StartsWith(firstItem, summary.Items, StringComparison.Ordinal);
        Assert.DoesNotContain("LoggedEvent", summary.Items, StringComparison.Ordinal);
        Assert.DoesNotContain("{", summary.Kinds, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WithoutIds_SaysSo_AndManyIdsAreCapped()
    {
        var fifty = SendNotificationReader.Read(Fixture.Bytes("fifty-events.xml")).Messages[0].Notification!;

        var hidden = LogHandler.Describe(fifty.Events, includeIds: false);
        var shown = LogHandler.Describe(fifty.Events, includeIds: true);

        Assert.Equal("(not logged)", hidden.Items);
        Assert.Equal("(not logged)", hidden.Folders);
        Assert.Equal(LogHandler.MaxIdsShown - 1, shown.Items.Count(c => c == ','));
        Assert.Matches(" and [0-9]+ more$", shown.Items);
    }

    [Fact]
    public void Describe_Heartbeat_StatusWithoutIds()
    {
        var heartbeat = SendNotificationReader.Read(Fixture.Bytes("heartbeat.xml")).Messages[0].Notification!;

        var summary = LogHandler.Describe(heartbeat.Events, includeIds: true);

        Assert.Equal("Status 1", summary.Kinds);
        Assert.Equal("none", summary.Items);
    }
}
