namespace PushListener.Hosting;

/// <summary>
/// A piece of start-up that others depend on. <see cref="PushListenerStartup"/> runs the steps by <see cref="Stage"/>
/// before the server takes requests, then opens the <see cref="StartupGate"/> that background workers wait for.
/// </summary>
internal interface IStartupStep
{
    /// <summary>When it runs.</summary>
    StartupStage Stage { get; }

    /// <summary>Runs the step; throwing stops the service.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
