namespace PushListener.Tests.Storage.Sqlite;

// Each contract against SQLite: the tests live in the contracts; these only say which store they run on.
public sealed class SqliteEntryLogTests : EntryLogContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}

public sealed class SqliteDeadLetterStoreTests : DeadLetterStoreContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}

public sealed class SqliteStickyVoteStoreTests : StickyVoteStoreContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}

public sealed class SqliteSubscriptionRegistryTests : SubscriptionRegistryContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}

public sealed class SqliteRegistrationStoreTests : RegistrationStoreContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}

public sealed class SqliteFeedStoreTests : FeedStoreContract
{
    private protected override IStorageTarget Target { get; } = new SqliteStorageTarget();
}
