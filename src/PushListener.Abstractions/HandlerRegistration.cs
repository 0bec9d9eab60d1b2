namespace PushListener;

/// <summary>
/// A handler in the pipeline: its name, place, filter, timeout and how to create it. Registered as a singleton service;
/// the host builds the pipeline from all of them at start-up.
/// </summary>
public sealed class HandlerRegistration
{
    /// <summary>Creates a registration.</summary>
    public HandlerRegistration(string name, Type handlerType, Func<IServiceProvider, INotificationHandler> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handlerType);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        HandlerType = handlerType;
        Factory = factory;
    }

    /// <summary>Unique name: appears in logs, delivery state and the admin API. Default: the type name.</summary>
    public string Name { get; }

    /// <summary>The handler's type.</summary>
    public Type HandlerType { get; }

    /// <summary>Creates the (single, shared) handler instance from the root service provider.</summary>
    public Func<IServiceProvider, INotificationHandler> Factory { get; }

    /// <summary>Place in the pipeline: lower runs first; equal orders keep registration order. Default 0.</summary>
    public int Order { get; init; }

    /// <summary>Filter applied in addition to the handler's own <see cref="INotificationHandler.Filter"/>. Default: none.</summary>
    public NotificationFilter? Filter { get; init; }

    /// <summary>How long one call may take before it counts as failed. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the registration came from, for diagnostics: <c>code</c>, <c>configuration</c> or <c>plugin:NAME</c>.</summary>
    public string Source { get; init; } = "code";
}
