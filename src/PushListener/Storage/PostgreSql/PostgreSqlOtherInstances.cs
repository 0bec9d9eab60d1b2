namespace PushListener.Storage.PostgreSql;

/// <summary>
/// What this instance tells the other instances' dispatchers. <see cref="Id"/> names this instance on the entries
/// channel's NOTIFYs, so that it ignores its own. <see cref="Set"/> records that something this instance did may have
/// given them work: entries appended unleased (any instance may claim them), an entry dead-lettered (another instance's
/// entry may wait behind it). <see cref="PostgreSqlDispatchNotifier"/> sends its NOTIFY only then: appends whose entries
/// were all pre-claimed give the others nothing to claim, and a completion that another instance's entry waits behind
/// sends its NOTIFY in the completion's own statement (see <see cref="PostgreSqlEntryLog"/>).
/// </summary>
internal sealed class PostgreSqlOtherInstances
{
    private int _set = 1;

    /// <summary>This instance's name on the NOTIFYs it sends.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The next dispatch notification reaches the other instances.</summary>
    public void Set() => Volatile.Write(ref _set, 1);

    /// <summary>Whether it was set since the last call; clears it.</summary>
    public bool TryReset() => Interlocked.Exchange(ref _set, 0) == 1;
}
