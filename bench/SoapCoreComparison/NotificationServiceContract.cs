using System.ServiceModel;
using System.Xml.Serialization;

// The service side of wsdl/NotificationService.wsdl as svcutil would shape it (XmlSerializer, message contracts, all
// eight event types), hosted by SoapCore. The implementation stores nothing: it counts what the serializer bound, so
// the comparison can see what reached the code.
namespace PushListener.Bench.SoapCoreComparison;

[ServiceContract(Namespace = Ews.Messages, Name = "NotificationServicePortType")]
[XmlSerializerFormat]
public interface INotificationServicePortType
{
    [OperationContract(Action = Ews.SendNotificationAction)]
    SendNotificationResponse SendNotification(SendNotificationRequest request);
}

public static class Ews
{
    public const string Messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string Types = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string SendNotificationAction = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification";
}

/// <summary>Counts what the serializer bound; answers OK.</summary>
public sealed class CountingNotificationService : INotificationServicePortType
{
    private int _events;
    private int _messages;

    public int Events => Volatile.Read(ref _events);

    public int Messages => Volatile.Read(ref _messages);

    public SendNotificationResponse SendNotification(SendNotificationRequest request)
    {
        foreach (var message in request.SendNotification?.ResponseMessages ?? [])
        {
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _events, message.Notification?.Items?.Length ?? 0);
        }

        return new SendNotificationResponse { SendNotificationResult = new SendNotificationResultType { SubscriptionStatus = SubscriptionStatusType.OK } };
    }
}

[MessageContract(IsWrapped = false)]
public sealed class SendNotificationRequest
{
    [MessageHeader(Namespace = Ews.Types)]
    public RequestServerVersion? RequestServerVersion { get; set; }

    [MessageBodyMember(Namespace = Ews.Messages, Order = 0)]
    public SendNotificationResponseType? SendNotification { get; set; }
}

[MessageContract(IsWrapped = false)]
public sealed class SendNotificationResponse
{
    [MessageBodyMember(Namespace = Ews.Messages, Order = 0)]
    public SendNotificationResultType? SendNotificationResult { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class RequestServerVersion
{
    [XmlAttribute]
    public string? Version { get; set; }
}

[XmlType(Namespace = Ews.Messages)]
public sealed class SendNotificationResponseType
{
    [XmlArray(Order = 0)]
    [XmlArrayItem("SendNotificationResponseMessage", IsNullable = false)]
    public SendNotificationResponseMessageType[]? ResponseMessages { get; set; }
}

[XmlType(Namespace = Ews.Messages)]
public sealed class SendNotificationResponseMessageType
{
    [XmlElement(Order = 0)]
    public string? MessageText { get; set; }

    [XmlElement(Order = 1)]
    public string? ResponseCode { get; set; }

    [XmlElement(Order = 2)]
    public int DescriptiveLinkKey { get; set; }

    [XmlIgnore]
    public bool DescriptiveLinkKeySpecified { get; set; }

    [XmlElement(Order = 3)]
    public NotificationType? Notification { get; set; }

    [XmlAttribute]
    public ResponseClassType ResponseClass { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public enum ResponseClassType
{
    Success,
    Warning,
    Error,
}

[XmlType(Namespace = Ews.Types)]
public sealed class NotificationType
{
    [XmlElement(Order = 0)]
    public string? SubscriptionId { get; set; }

    [XmlElement(Order = 1)]
    public string? PreviousWatermark { get; set; }

    [XmlElement(Order = 2)]
    public bool MoreEvents { get; set; }

    [XmlIgnore]
    public bool MoreEventsSpecified { get; set; }

    [XmlElement("CopiedEvent", typeof(MovedCopiedEventType), Order = 3)]
    [XmlElement("CreatedEvent", typeof(BaseObjectChangedEventType), Order = 3)]
    [XmlElement("DeletedEvent", typeof(BaseObjectChangedEventType), Order = 3)]
    [XmlElement("FreeBusyChangedEvent", typeof(BaseObjectChangedEventType), Order = 3)]
    [XmlElement("ModifiedEvent", typeof(ModifiedEventType), Order = 3)]
    [XmlElement("MovedEvent", typeof(MovedCopiedEventType), Order = 3)]
    [XmlElement("NewMailEvent", typeof(BaseObjectChangedEventType), Order = 3)]
    [XmlElement("StatusEvent", typeof(BaseNotificationEventType), Order = 3)]
    [XmlChoiceIdentifier(nameof(ItemsElementName))]
    public BaseNotificationEventType[]? Items { get; set; }

    [XmlElement("ItemsElementName", Order = 4)]
    [XmlIgnore]
    public ItemsChoiceType[]? ItemsElementName { get; set; }
}

[XmlType(Namespace = Ews.Types, IncludeInSchema = false)]
public enum ItemsChoiceType
{
    CopiedEvent,
    CreatedEvent,
    DeletedEvent,
    FreeBusyChangedEvent,
    ModifiedEvent,
    MovedEvent,
    NewMailEvent,
    StatusEvent,
}

[XmlInclude(typeof(BaseObjectChangedEventType))]
[XmlType(Namespace = Ews.Types)]
public class BaseNotificationEventType
{
    [XmlElement(Order = 0)]
    public string? Watermark { get; set; }
}

[XmlInclude(typeof(ModifiedEventType))]
[XmlInclude(typeof(MovedCopiedEventType))]
[XmlType(Namespace = Ews.Types)]
public class BaseObjectChangedEventType : BaseNotificationEventType
{
    [XmlElement(Order = 0)]
    public DateTime TimeStamp { get; set; }

    [XmlElement("FolderId", typeof(FolderIdType), Order = 1)]
    [XmlElement("ItemId", typeof(ItemIdType), Order = 1)]
    public object? Item { get; set; }

    [XmlElement(Order = 2)]
    public FolderIdType? ParentFolderId { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class ModifiedEventType : BaseObjectChangedEventType
{
    [XmlElement(Order = 0)]
    public int UnreadCount { get; set; }

    [XmlIgnore]
    public bool UnreadCountSpecified { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class MovedCopiedEventType : BaseObjectChangedEventType
{
    [XmlElement("OldFolderId", typeof(FolderIdType), Order = 0)]
    [XmlElement("OldItemId", typeof(ItemIdType), Order = 0)]
    public object? Item1 { get; set; }

    [XmlElement(Order = 1)]
    public FolderIdType? OldParentFolderId { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class ItemIdType
{
    [XmlAttribute]
    public string? Id { get; set; }

    [XmlAttribute]
    public string? ChangeKey { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class FolderIdType
{
    [XmlAttribute]
    public string? Id { get; set; }

    [XmlAttribute]
    public string? ChangeKey { get; set; }
}

[XmlType(Namespace = Ews.Messages)]
public sealed class SendNotificationResultType
{
    [XmlElement(Order = 0)]
    public SubscriptionStatusType SubscriptionStatus { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public enum SubscriptionStatusType
{
    OK,
    Unsubscribe,
}
