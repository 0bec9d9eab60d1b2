namespace PushListener;

/// <summary>Settings of a handler registered in code.</summary>
public sealed class HandlerOptions
{
    /// <summary>Unique name. Default: the handler type's name.</summary>
    public string? Name { get; set; }

    /// <summary>Place in the pipeline: lower runs first. Default 0.</summary>
    public int Order { get; set; }

    /// <summary>Extra filter on top of the handler's own. Default: none.</summary>
    public NotificationFilter? Filter { get; set; }

    /// <summary>Per-call timeout. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
