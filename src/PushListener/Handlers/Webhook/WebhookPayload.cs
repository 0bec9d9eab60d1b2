using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushListener.Handlers.Webhook;

/// <summary>
/// The JSON body, schema <c>pushlistener.notification/v1</c> (docs/webhooks.md). Every field is always written, null
/// when absent, so consumers see the whole schema in every body. Changing a name or meaning here is a breaking change:
/// it needs a v2 schema.
/// </summary>
internal sealed record WebhookPayload(
    string Schema,
    string Type,
    string DeliveryId,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    WebhookRegistration? Registration,
    string? SubscriptionId,
    string? PreviousWatermark,
    bool? MoreEvents,
    string ResponseClass,
    string ResponseCode,
    string? MessageText,
    int? DescriptiveLinkKey,
    IReadOnlyDictionary<string, string> MessageXml,
    IReadOnlyList<WebhookEvent> Events)
{
    public const string SchemaV1 = "pushlistener.notification/v1";

    public const string TypeNotification = "notification";

    public const string TypeError = "error";

    // Relaxed escaping keeps base64 ids readable ('+' stays '+'); the body is application/json, never embedded in HTML.
    private static readonly WebhookJsonContext Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static WebhookPayload From(NotificationMessage message, PushMetadata push)
    {
        var notification = message.Notification;
        var events = notification is null ? [] : new WebhookEvent[notification.Events.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = WebhookEvent.From(notification!.Events[i]);
        }

        return new WebhookPayload(
            SchemaV1,
            notification is null ? TypeError : TypeNotification,
            push.DeliveryId,
            push.ReceivedAt,
            push.RequestServerVersion,
            push.Registration is { } registration ? new WebhookRegistration(registration.Name, registration.Mailbox, registration.OwnerTag) : null,
            message.SubscriptionId,
            notification?.PreviousWatermark,
            notification?.MoreEvents,
            message.ResponseClass.ToString(),
            message.ResponseCode,
            message.MessageText,
            message.DescriptiveLinkKey,
            message.MessageXmlValues,
            events);
    }

    /// <summary>The UTF-8 body: serialized once per notification and sent unchanged on every attempt and to every target.</summary>
    public static byte[] Serialize(NotificationMessage message, PushMetadata push) =>
        JsonSerializer.SerializeToUtf8Bytes(From(message, push), Json.WebhookPayload);
}

/// <summary>The registration a push came in through.</summary>
internal sealed record WebhookRegistration(string Name, string? Mailbox, string? OwnerTag);

/// <summary>One event; fields its kind does not carry are null.</summary>
internal sealed record WebhookEvent(
    string Kind,
    string? Watermark,
    DateTimeOffset? TimeStamp,
    WebhookObjectId? ObjectId,
    WebhookObjectId? ParentFolderId,
    WebhookObjectId? OldObjectId,
    WebhookObjectId? OldParentFolderId,
    int? UnreadCount)
{
    public static WebhookEvent From(NotificationEvent e) => new(
        e.Kind.ToString(),
        e.Watermark,
        e.TimeStamp,
        WebhookObjectId.From(e.ObjectId),
        WebhookObjectId.From(e.ParentFolderId),
        WebhookObjectId.From(e.OldObjectId),
        WebhookObjectId.From(e.OldParentFolderId),
        e.UnreadCount);
}

/// <summary>An item or folder id: <c>kind</c> is <c>item</c> or <c>folder</c>.</summary>
internal sealed record WebhookObjectId(string Kind, string Id, string? ChangeKey)
{
    public static WebhookObjectId? From(ObjectId? id) => id is { } value
        ? new(value.Kind == ObjectIdKind.Folder ? "folder" : "item", value.Id, value.ChangeKey)
        : null;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
