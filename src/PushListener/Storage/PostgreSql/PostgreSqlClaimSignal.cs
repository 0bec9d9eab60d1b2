namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Tells this instance's entry log that entries it did not append may have become claimable (another instance appended
/// or completed some, a dead letter was replayed, leases were released), so its next claim searches the whole log
/// rather than only what this instance appended (see <see cref="PostgreSqlEntryLog"/>).
/// </summary>
internal sealed class PostgreSqlClaimSignal
{
    private int _set = 1;

    /// <summary>The next claim searches the whole log.</summary>
    public void Set() => Volatile.Write(ref _set, 1);

    /// <summary>Whether it was set since the last call; clears it.</summary>
    public bool TryReset() => Interlocked.Exchange(ref _set, 0) == 1;
}
