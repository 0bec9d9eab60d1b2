namespace PushListener;

/// <summary>
/// A step of the notification pipeline. One instance serves every notification of its registration, concurrently:
/// keep it thread-safe, and take per-delivery services from <see cref="NotificationContext.Services"/>.
/// </summary>
/// <remarks>
/// Throwing, or not finishing within the registration's timeout, marks this handler failed for the delivery: the
/// failure is logged with the handler's name, the other handlers still run, and the answer to Exchange is never turned
/// into <c>Unsubscribe</c> by a failure. Only an explicit <see cref="HandlerResult.Unsubscribe(string, bool)"/> does that.
/// </remarks>
public interface INotificationHandler
{
    /// <summary>Handles one notification (or error push, or lifecycle event, when the filter lets it through).</summary>
    ValueTask<HandlerResult> HandleAsync(NotificationContext context);

    /// <summary>Which notifications this handler wants; the pipeline filters before calling it. Default: everything but lifecycle events.</summary>
    NotificationFilter Filter => NotificationFilter.Any;

    /// <summary>
    /// Whether this handler may vote <c>Unsubscribe</c>. Default <see langword="false"/>: the answer to Exchange goes as
    /// soon as the push is stored, without waiting for handlers. When any handler says <see langword="true"/>, the answer
    /// waits (up to the inbox's <c>ReplyBudget</c>) for the pipeline's first attempt so the vote can be in it. A vote
    /// from a handler that did not declare it still counts: it is answered on the subscription's next push.
    /// </summary>
    bool MayUnsubscribe => false;
}
