using Microsoft.Extensions.Logging;

namespace PushListener;

/// <summary>Everything a handler gets for one delivery of one notification.</summary>
public sealed class NotificationContext
{
    /// <summary>Creates a context. The host does this; tests of handlers may too.</summary>
    public NotificationContext(
        NotificationMessage message,
        PushMetadata push,
        int attempt,
        ILogger logger,
        IServiceProvider services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(services);
        Message = message;
        Push = push;
        Attempt = attempt;
        Logger = logger;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>The <c>SendNotificationResponseMessage</c>, possibly an error push (<see cref="NotificationMessage.IsError"/>).</summary>
    public NotificationMessage Message { get; }

    /// <summary>The notification, restricted to the events the handler's filter selects; <see langword="null"/> for error pushes.</summary>
    public Notification? Notification => Message.Notification;

    /// <summary>The subscription the message is about (from the notification, or from <c>MessageXml</c> for error pushes).</summary>
    public string? SubscriptionId => Message.SubscriptionId;

    /// <summary>Where the push came from: arrival time, server version, the registration it came in through.</summary>
    public PushMetadata Push { get; }

    /// <summary>1 for the first delivery to this handler, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>A logger in the handler's category, scoped with the subscription id.</summary>
    public ILogger Logger { get; }

    /// <summary>Services of a scope created for this delivery.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Signalled when the handler's timeout elapses or the service shuts down.</summary>
    public CancellationToken CancellationToken { get; }
}
