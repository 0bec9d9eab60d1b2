using Microsoft.Extensions.Logging;

namespace PushListener;

/// <summary>Everything a handler gets for one delivery of one notification.</summary>
public sealed class NotificationContext
{
    /// <summary>Creates a context for a notification. The host does this; tests of handlers may too.</summary>
    public NotificationContext(
        NotificationMessage message,
        PushMetadata push,
        int attempt,
        ILogger logger,
        IServiceProvider services,
        CancellationToken cancellationToken)
        : this(push, attempt, logger, services, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
    }

    /// <summary>Creates a context for a lifecycle event.</summary>
    public NotificationContext(
        LifecycleEvent lifecycle,
        PushMetadata push,
        int attempt,
        ILogger logger,
        IServiceProvider services,
        CancellationToken cancellationToken)
        : this(push, attempt, logger, services, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        Lifecycle = lifecycle;
    }

    private NotificationContext(PushMetadata push, int attempt, ILogger logger, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(services);
        Push = push;
        Attempt = attempt;
        Logger = logger;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>
    /// The <c>SendNotificationResponseMessage</c>, possibly an error push (<see cref="NotificationMessage.IsError"/>);
    /// <see langword="null"/> exactly when this context carries a <see cref="Lifecycle"/> event.
    /// </summary>
    public NotificationMessage? Message { get; }

    /// <summary>The lifecycle event, for handlers that opted in with <see cref="NotificationFilter.IncludeLifecycle"/>; otherwise <see langword="null"/>.</summary>
    public LifecycleEvent? Lifecycle { get; }

    /// <summary>The notification, restricted to the events the handler's filter selects; <see langword="null"/> for error pushes and lifecycle events.</summary>
    public Notification? Notification => Message?.Notification;

    /// <summary>The subscription this is about (from the notification, from <c>MessageXml</c> for error pushes, or from the lifecycle event).</summary>
    public string? SubscriptionId => Message?.SubscriptionId ?? Lifecycle?.SubscriptionId;

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
