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
    IReadOnlyList<WebhookEvent> Events,
    WebhookLifecycle? Lifecycle)
{
    public const string SchemaV1 = "pushlistener.notification/v1";

    public const string TypeNotification = "notification";

    public const string TypeError = "error";

    public const string TypeLifecycle = "lifecycle";

    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>(0);

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
            notification is { MoreEventsSpecified: true } ? notification.MoreEvents : null,
            message.ResponseClass.ToString(),
            message.ResponseCode,
            message.MessageText,
            message.DescriptiveLinkKey,
            message.MessageXmlValues,
            events,
            null);
    }

    public static WebhookPayload From(LifecycleEvent lifecycle, PushMetadata push) => new(
        SchemaV1,
        TypeLifecycle,
        push.DeliveryId,
        push.ReceivedAt,
        push.RequestServerVersion,
        push.Registration is { } registration ? new WebhookRegistration(registration.Name, registration.Mailbox, registration.OwnerTag) : null,
        lifecycle.SubscriptionId,
        null,
        null,
        "Success",
        "NoError",
        null,
        null,
        NoValues,
        [],
        new WebhookLifecycle(
            ToCamel(lifecycle.Kind.ToString()),
            lifecycle.OccurredAt,
            lifecycle.LastStoredWatermark,
            lifecycle.ReceivedPreviousWatermark,
            lifecycle.LastSeen,
            lifecycle.ExpectedInterval is { } interval ? (long)interval.TotalSeconds : null,
            lifecycle.ResponseCode,
            lifecycle.MessageText,
            lifecycle.PreviousSubscriptionId,
            lifecycle.Reason,
            lifecycle.Watermark,
            lifecycle.RetryAt));

    /// <summary>The UTF-8 body of whatever the context carries: a notification, an error push or a lifecycle event.</summary>
    public static byte[] Serialize(NotificationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.Lifecycle is { } lifecycle ? From(lifecycle, context.Push) : From(context.Message!, context.Push);
        return JsonSerializer.SerializeToUtf8Bytes(payload, Json.WebhookPayload);
    }

    private static string ToCamel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    /// <summary>The UTF-8 body: serialized once per notification and sent unchanged on every attempt and to every target.</summary>
    public static byte[] Serialize(NotificationMessage message, PushMetadata push) =>
        JsonSerializer.SerializeToUtf8Bytes(From(message, push), Json.WebhookPayload);
}

/// <summary>
/// A lifecycle event: <c>kind</c> is gapDetected, silent, failed or resumed (what the listener saw), or subscribed,
/// resubscribed, resyncRequired or subscribeFailed (what the subscription manager did).
/// </summary>
internal sealed record WebhookLifecycle(
    string Kind,
    DateTimeOffset OccurredAt,
    string? LastStoredWatermark,
    string? ReceivedPreviousWatermark,
    DateTimeOffset? LastSeen,
    long? ExpectedIntervalSeconds,
    string? ResponseCode,
    string? MessageText,
    string? PreviousSubscriptionId,
    string? Reason,
    string? Watermark,
    DateTimeOffset? RetryAt);

/// <summary>The registration a push came in through.</summary>
internal sealed record WebhookRegistration(string Name, string? Mailbox, string? OwnerTag);

/// <summary>One event; fields its kind does not carry are null. <c>element</c> and <c>xml</c> are set for <c>Unknown</c> events only.</summary>
internal sealed record WebhookEvent(
    string Kind,
    string? Watermark,
    DateTimeOffset? TimeStamp,
    WebhookObjectId? ObjectId,
    WebhookObjectId? ParentFolderId,
    WebhookObjectId? OldObjectId,
    WebhookObjectId? OldParentFolderId,
    int? UnreadCount,
    string? Element,
    string? Xml)
{
    public static WebhookEvent From(NotificationEvent e) => new(
        e.Kind.ToString(),
        e.Watermark,
        e.TimeStamp,
        WebhookObjectId.From(e.ObjectId),
        WebhookObjectId.From(e.ParentFolderId),
        WebhookObjectId.From(e.OldObjectId),
        WebhookObjectId.From(e.OldParentFolderId),
        e.UnreadCount,
        e.ElementName,
        e.Xml);
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
