using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlLeadershipTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task ThreeInstances_ExactlyOneLeads()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = await Instance.StartAsync(connection);
        await using var b = await Instance.StartAsync(connection);
        await using var c = await Instance.StartAsync(connection);
        Instance[] all = [a, b, c];

        await Eventually.TrueAsync(() => all.Any(i => i.Leadership.IsLeader));

        Assert.Single(all, i => i.Leadership.IsLeader);
        Assert.Equal(1L, await PostgreSqlTestDatabase.ScalarAsync<long>(connection, """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """));
    }

    [Fact]
    public async Task LeaderStops_AnotherTakesOver_AndItsWorkTokenIsCancelled()
    {
        var connection = await server.CreateDatabaseAsync();
        var first = await Instance.StartAsync(connection);
        var term = await first.Leadership.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await using var second = await Instance.StartAsync(connection);

        await first.DisposeAsync();

        Assert.True(term.IsCancellationRequested);
        var next = await second.Leadership.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(next.IsCancellationRequested);
        Assert.True(second.Leadership.IsLeader);
    }

    [Fact]
    public async Task LeaderLosesItsSession_StepsDown_AndLeadershipMoves()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var first = await Instance.StartAsync(connection, "leader-a-" + Guid.NewGuid().ToString("N")[..8]);
        var term = await first.Leadership.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await using var second = await Instance.StartAsync(connection);

        await server.TerminateSessionsAsync(first.ApplicationName!);

        await Eventually.TrueAsync(() => term.IsCancellationRequested);
        await Eventually.TrueAsync(() => first.Leadership.IsLeader || second.Leadership.IsLeader);
        Assert.False(first.Leadership.IsLeader && second.Leadership.IsLeader);
    }

    [Fact]
    public async Task LeaderOnlyWork_RunsOnOneInstanceAtATime_AndMovesWithLeadership()
    {
        var connection = await server.CreateDatabaseAsync();
        var running = 0;
        var maxRunning = 0;
        var starts = 0;
        async Task Work(CancellationToken token)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            Interlocked.Increment(ref starts);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        using var stop = new CancellationTokenSource();
        var a = await Instance.StartAsync(connection);
        await using var b = await Instance.StartAsync(connection);
        var loops = new[] { PushListener.Storage.LeaderOnly.RunAsync(a.Leadership, Work, stop.Token), PushListener.Storage.LeaderOnly.RunAsync(b.Leadership, Work, stop.Token) };
        await Eventually.TrueAsync(() => Volatile.Read(ref starts) == 1);

        var leader = a.Leadership.IsLeader ? a : b;
        await leader.DisposeAsync();
        await Eventually.TrueAsync(() => Volatile.Read(ref starts) == 2 && Volatile.Read(ref running) == 1);

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        await a.DisposeAsync();
        Assert.Equal(1, maxRunning);
        Assert.Equal(0, running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class Instance : IAsyncDisposable
    {
        private readonly PostgreSqlDatabase _database;
        private bool _disposed;

        private Instance(string connectionString, string? applicationName)
        {
            ApplicationName = applicationName;
            var options = PostgreSqlTestDatabase.Options(connectionString, applicationName);
            _database = new PostgreSqlDatabase(options);
            Leadership = new PostgreSqlLeadership(_database, options, TimeProvider.System, NullLogger<PostgreSqlLeadership>.Instance);
        }

        public string? ApplicationName { get; }

        public PostgreSqlLeadership Leadership { get; }

        public static async Task<Instance> StartAsync(string connectionString, string? applicationName = null)
        {
            var instance = new Instance(connectionString, applicationName);
            await instance.Leadership.StartAsync(CancellationToken.None);
            return instance;
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Leadership.StopAsync(CancellationToken.None);
            Leadership.Dispose();
            await _database.DisposeAsync();
        }
    }
}
