namespace PushListener;

/// <summary>
/// One <c>SendNotificationResponseMessage</c> of a push. A push may carry several.
/// Error pushes (<see cref="ResponseClass.Error"/>) are legal traffic: they have a <see cref="ResponseCode"/> such as
/// <c>ErrorReadEventsFailed</c>, a <see cref="MessageText"/>, no <see cref="Notification"/>, and the subscription id only in
/// the <c>MessageXml</c> values.
/// </summary>
public sealed class NotificationMessage
{
    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>(0);

    /// <summary>Creates a message.</summary>
    public NotificationMessage(
        ResponseClass responseClass,
        string responseCode,
        string? messageText,
        int? descriptiveLinkKey,
        IReadOnlyDictionary<string, string>? messageXmlValues,
        Notification? notification)
    {
        ArgumentNullException.ThrowIfNull(responseCode);
        ResponseClass = responseClass;
        ResponseCode = responseCode;
        MessageText = messageText;
        DescriptiveLinkKey = descriptiveLinkKey;
        MessageXmlValues = messageXmlValues ?? NoValues;
        Notification = notification;
    }

    /// <summary>The <c>ResponseClass</c> attribute.</summary>
    public ResponseClass ResponseClass { get; }

    /// <summary>The <c>ResponseCode</c>, <c>NoError</c> for normal notifications.</summary>
    public string ResponseCode { get; }

    /// <summary>The <c>MessageText</c>, if any.</summary>
    public string? MessageText { get; }

    /// <summary>The <c>DescriptiveLinkKey</c>, if any.</summary>
    public int? DescriptiveLinkKey { get; }

    /// <summary>The <c>MessageXml/Value</c> elements by their <c>Name</c> attribute (for example <c>SubscriptionId</c>).</summary>
    public IReadOnlyDictionary<string, string> MessageXmlValues { get; }

    /// <summary>The notification; <see langword="null"/> for error pushes.</summary>
    public Notification? Notification { get; }

    /// <summary>
    /// The subscription this message is about: the notification's id, or for error pushes the
    /// <c>MessageXml/Value[@Name="SubscriptionId"]</c>. <see langword="null"/> only if the sender gave neither.
    /// </summary>
    public string? SubscriptionId =>
        Notification?.SubscriptionId ?? (MessageXmlValues.TryGetValue("SubscriptionId", out var id) ? id : null);

    /// <summary><see langword="true"/> for an error push.</summary>
    public bool IsError => ResponseClass == ResponseClass.Error;
}
