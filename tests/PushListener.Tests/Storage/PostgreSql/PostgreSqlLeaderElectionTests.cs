using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlLeaderElectionTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task TryAcquire_ThreeInstances_OnlyTheFirstLeadsTheJob()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance.Open(connection);
        await using var b = Instance.Open(connection);
        await using var c = Instance.Open(connection);

        await using var lead = await a.Election.TryAcquireAsync("watchdog", CancellationToken.None);
        var second = await b.Election.TryAcquireAsync("watchdog", CancellationToken.None);
        var third = await c.Election.TryAcquireAsync("watchdog", CancellationToken.None);

        Assert.NotNull(lead);
        Assert.Equal("watchdog", lead.Job);
        Assert.Null(second);
        Assert.Null(third);
        Assert.False(lead.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task TryAcquire_DifferentJobs_AreLedIndependently()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance.Open(connection);
        await using var b = Instance.Open(connection);

        await using var watchdog = await a.Election.TryAcquireAsync("watchdog", CancellationToken.None);
        await using var retention = await b.Election.TryAcquireAsync("retention", CancellationToken.None);

        Assert.NotNull(watchdog);
        Assert.NotNull(retention);
    }

    [Fact]
    public async Task DisposedLease_LetsAnotherInstanceTakeTheJob()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance.Open(connection);
        await using var b = Instance.Open(connection);
        var lead = await a.Election.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(lead);
        Assert.Null(await b.Election.TryAcquireAsync("retention", CancellationToken.None));

        await lead.DisposeAsync();

        await using var next = await b.Election.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task LeaderSessionEnds_LostIsCancelled_AndAnotherInstanceTakesOver()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance.Open(connection, "leader-a-" + Guid.NewGuid().ToString("N")[..8]);
        await using var b = Instance.Open(connection);
        await using var lead = await a.Election.TryAcquireAsync("watchdog", CancellationToken.None);
        Assert.NotNull(lead);

        // As if the leader's machine or network died: the server ends its session and releases the lock.
        Assert.Equal(1, await server.TerminateSessionsAsync(a.ApplicationName!));

        await Eventually.TrueAsync(() => lead.Lost.IsCancellationRequested);
        await using var next = await b.Election.TryAcquireAsync("watchdog", CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task TryAcquire_UnreachableDatabase_Throws()
    {
        await using var a = Instance.Open($"Host=127.0.0.1;Port={PostgreSqlMigratorTests.ClosedPort()};Username=postgres;Database=nowhere;Timeout=2");

        await Assert.ThrowsAnyAsync<Exception>(() => a.Election.TryAcquireAsync("watchdog", CancellationToken.None).AsTask());
    }

    private sealed class Instance : IAsyncDisposable
    {
        private readonly PostgreSqlDatabase _database;

        private Instance(string connectionString, string? applicationName)
        {
            ApplicationName = applicationName;
            var options = PostgreSqlTestDatabase.Options(connectionString, applicationName);
            _database = new PostgreSqlDatabase(options);
            Election = new PostgreSqlLeaderElection(_database, options, TimeProvider.System, NullLogger<PostgreSqlLeaderElection>.Instance);
        }

        public string? ApplicationName { get; }

        public PostgreSqlLeaderElection Election { get; }

        public static Instance Open(string connectionString, string? applicationName = null) => new(connectionString, applicationName);

        public ValueTask DisposeAsync() => _database.DisposeAsync();
    }
}
