using System.ServiceModel;
using System.Xml.Serialization;

// The client side of wsdl/NotificationService.wsdl as svcutil writes it for a WCF client (XmlSerializer, message
// contracts, the RequestServerVersion header), reduced to the types the tests send. Exchange's own push client is a
// WCF-style SOAP client: this is that side of the wire, in the shape a .NET developer would get from the WSDL.
namespace PushListener.Tests.Endpoint.Wcf;

[ServiceContract(Namespace = Ews.Messages, Name = "NotificationServicePortType")]
[XmlSerializerFormat(SupportFaults = true)]
public interface INotificationServicePortType
{
    [OperationContract(Action = Ews.SendNotificationAction, ReplyAction = "*")]
    Task<SendNotificationResponse> SendNotificationAsync(SendNotificationRequest request);
}

public static class Ews
{
    public const string Messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string Types = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string SendNotificationAction = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification";
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
    public string Version { get; set; } = "Exchange2013";
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
    public NotificationType? Notification { get; set; }

    [XmlAttribute]
    public ResponseClassType ResponseClass { get; set; }
}

[XmlType(Namespace = Ews.Messages)]
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

    [XmlElement("CreatedEvent", typeof(BaseObjectChangedEventType), Order = 3)]
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
    CreatedEvent,
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

[XmlType(Namespace = Ews.Types)]
public sealed class BaseObjectChangedEventType : BaseNotificationEventType
{
    [XmlElement(Order = 0)]
    public DateTime TimeStamp { get; set; }

    [XmlElement(Order = 1)]
    public ItemIdType? ItemId { get; set; }

    [XmlElement(Order = 2)]
    public ItemIdType? ParentFolderId { get; set; }
}

[XmlType(Namespace = Ews.Types)]
public sealed class ItemIdType
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
