using PushListener.Inbox;

namespace PushListener.Cli;

/// <summary>The role stores a command works with, opened from the configured storage provider beside a service that may be running.</summary>
internal sealed class CommandStores(ServiceProvider services) : IAsyncDisposable
{
    public IEntryLog Entries { get; } = services.GetRequiredService<IEntryLog>();

    public IDeadLetterStore DeadLetters { get; } = services.GetRequiredService<IDeadLetterStore>();

    public IStickyVoteStore StickyVotes { get; } = services.GetRequiredService<IStickyVoteStore>();

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
