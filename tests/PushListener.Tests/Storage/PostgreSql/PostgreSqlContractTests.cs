using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

// Every store contract against PostgreSQL: the tests live in the contracts, each run on a new database.
public sealed class PostgreSqlEntryLogTests(PostgreSqlServer server) : EntryLogContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlDeadLetterStoreTests(PostgreSqlServer server) : DeadLetterStoreContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlStickyVoteStoreTests(PostgreSqlServer server) : StickyVoteStoreContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlSubscriptionRegistryTests(PostgreSqlServer server) : SubscriptionRegistryContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlRegistrationStoreTests(PostgreSqlServer server) : RegistrationStoreContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlFeedStoreTests(PostgreSqlServer server) : FeedStoreContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}

public sealed class PostgreSqlManagedSubscriptionStoreTests(PostgreSqlServer server) : ManagedSubscriptionStoreContract, IClassFixture<PostgreSqlServer>
{
    private protected override IStorageTarget Target { get; } = new PostgreSqlStorageTarget(server);
}
