namespace PushListener.Storage;

/// <summary>
/// Opens the store and brings its schema up to date (versioned migrations). Runs first at start-up, before anything
/// reads or writes (the start-up sequence in Hosting); refuses a store whose schema is newer than this build.
/// </summary>
internal interface IStorageInitializer
{
    /// <summary>Opens, migrates and checks the store; throws with a message naming the setting to look at.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}
