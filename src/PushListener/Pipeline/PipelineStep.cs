namespace PushListener.Pipeline;

/// <summary>A handler with its registration, logger and effective filter.</summary>
internal sealed class PipelineStep
{
    private readonly NotificationFilter[] _filters;
    private readonly bool _wantsLifecycle;

    public PipelineStep(HandlerRegistration registration, INotificationHandler handler, ILogger logger)
    {
        Registration = registration;
        Handler = handler;
        Logger = logger;
        _filters = new[] { registration.Filter, handler.Filter }.OfType<NotificationFilter>().Where(f => !ReferenceEquals(f, NotificationFilter.Any)).ToArray();
        // Opt-in: the registration's filter decides when it says anything, else the handler's own.
        _wantsLifecycle = registration.Filter?.IncludeLifecycle ?? handler.Filter.IncludeLifecycle ?? false;
    }

    public string Name => Registration.Name;

    public HandlerRegistration Registration { get; }

    public INotificationHandler Handler { get; }

    public ILogger Logger { get; }

    /// <summary>
    /// Whether the handler wants <paramref name="message"/>; <paramref name="view"/> is the message as the handler sees it
    /// (the same object unless a filter narrows its events).
    /// </summary>
    public bool Select(NotificationMessage message, out NotificationMessage? view)
    {
        view = message;
        foreach (var filter in _filters)
        {
            if (!filter.MatchesSubscription(message.SubscriptionId))
            {
                return false;
            }

            if (message.Notification is null)
            {
                if (!filter.IncludeErrors)
                {
                    return false;
                }

                continue;
            }

            if (filter.SelectsEvents && !Narrow(filter, ref view))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the handler wants this lifecycle event.</summary>
    public bool SelectLifecycle(LifecycleEvent lifecycle)
    {
        if (!_wantsLifecycle)
        {
            return false;
        }

        foreach (var filter in _filters)
        {
            if (!filter.MatchesSubscription(lifecycle.SubscriptionId))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Narrow(NotificationFilter filter, ref NotificationMessage view)
    {
        var notification = view.Notification!;
        var events = notification.Events;
        var kept = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (filter.MatchesEvent(events[i]))
            {
                kept++;
            }
        }

        if (kept == 0)
        {
            return false;
        }

        if (kept == events.Count)
        {
            return true;
        }

        var selected = new List<NotificationEvent>(kept);
        for (var i = 0; i < events.Count; i++)
        {
            if (filter.MatchesEvent(events[i]))
            {
                selected.Add(events[i]);
            }
        }

        view = new NotificationMessage(
            view.ResponseClass,
            view.ResponseCode,
            view.MessageText,
            view.DescriptiveLinkKey,
            view.MessageXmlValues,
            notification.WithEvents(selected));
        return true;
    }
}
