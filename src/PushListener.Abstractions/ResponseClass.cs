namespace PushListener;

/// <summary>The <c>ResponseClass</c> attribute of a <c>SendNotificationResponseMessage</c>.</summary>
public enum ResponseClass
{
    /// <summary>A normal notification.</summary>
    Success,

    /// <summary>A notification Exchange flagged with a warning.</summary>
    Warning,

    /// <summary>An error push: Exchange reports a failure of the subscription (for example <c>ErrorReadEventsFailed</c>), usually with no notification.</summary>
    Error,
}
