namespace PushListener.Hosting;

/// <summary>The order of start-up: every step of a stage finishes before the next stage begins.</summary>
internal enum StartupStage
{
    /// <summary>Open the store and bring its schema up to date.</summary>
    OpenStorage = 0,

    /// <summary>Load what the request path and the dispatcher need in memory (registrations, feeds).</summary>
    LoadState = 1,
}
