namespace PushListener.Protocol;

/// <summary>One parsed <c>SendNotification</c> POST.</summary>
public sealed class PushRequest
{
    public PushRequest(SoapVersion soapVersion, string? requestServerVersion, IReadOnlyList<NotificationMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        SoapVersion = soapVersion;
        RequestServerVersion = requestServerVersion;
        Messages = messages;
    }

    /// <summary>The envelope's SOAP version.</summary>
    public SoapVersion SoapVersion { get; }

    /// <summary>The <c>RequestServerVersion/@Version</c> header, if sent (for example <c>Exchange2013</c>).</summary>
    public string? RequestServerVersion { get; }

    /// <summary>The <c>SendNotificationResponseMessage</c> elements, in order (at least one).</summary>
    public IReadOnlyList<NotificationMessage> Messages { get; }

    /// <summary>The number of events over all messages.</summary>
    public int EventCount
    {
        get
        {
            var count = 0;
            for (var i = 0; i < Messages.Count; i++)
            {
                count += Messages[i].Notification?.Events.Count ?? 0;
            }

            return count;
        }
    }
}
