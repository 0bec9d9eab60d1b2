using Xunit;

namespace PushListener.Protocol.Tests;

/// <summary>Assertions that check every field of the model, so that a value landing in the wrong property fails.</summary>
internal static class Expect
{
    public static ObjectId Item(string id, string? changeKey) => new(ObjectIdKind.Item, id, changeKey);

    public static ObjectId Folder(string id, string? changeKey) => new(ObjectIdKind.Folder, id, changeKey);

    /// <summary>Asserts every field of <paramref name="actual"/>; a field not given is expected to be absent.</summary>
    public static void Event(
        NotificationEvent actual,
        EventKind kind,
        string? watermark,
        DateTimeOffset? timeStamp = null,
        ObjectId? objectId = null,
        ObjectId? parentFolderId = null,
        ObjectId? oldObjectId = null,
        ObjectId? oldParentFolderId = null,
        int? unreadCount = null)
    {
        Assert.Equal(kind, actual.Kind);
        Assert.Equal(watermark, actual.Watermark);

        // DateTimeOffset equality compares instants only: check the offset as it arrived too.
        Assert.Equal(timeStamp, actual.TimeStamp);
        Assert.Equal(timeStamp?.Offset, actual.TimeStamp?.Offset);

        Assert.Equal(objectId, actual.ObjectId);
        Assert.Equal(parentFolderId, actual.ParentFolderId);
        Assert.Equal(oldObjectId, actual.OldObjectId);
        Assert.Equal(oldParentFolderId, actual.OldParentFolderId);
        Assert.Equal(unreadCount, actual.UnreadCount);
        Assert.Equal(objectId is { Kind: ObjectIdKind.Folder }, actual.IsFolderEvent);
        if (kind != EventKind.Unknown)
        {
            Assert.Null(actual.ElementName);
            Assert.Null(actual.ElementNamespace);
            Assert.Null(actual.Xml);
        }
    }

    /// <summary>Asserts a normal (<c>Success</c>, <c>NoError</c>) message and returns its notification.</summary>
    public static Notification SuccessMessage(NotificationMessage message)
    {
        Assert.Equal(ResponseClass.Success, message.ResponseClass);
        Assert.False(message.IsError);
        Assert.Equal("NoError", message.ResponseCode);
        Assert.Null(message.MessageText);
        Assert.Null(message.DescriptiveLinkKey);
        Assert.Empty(message.MessageXmlValues);
        var notification = Assert.IsType<Notification>(message.Notification);
        Assert.Equal(notification.SubscriptionId, message.SubscriptionId);
        return notification;
    }
}
