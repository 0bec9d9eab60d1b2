using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlDispatchNotifierTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Notify_OnOneInstance_WakesTheDispatcherOfAnother()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = await Instance.StartAsync(connection);
        await using var b = await Instance.StartAsync(connection);

        a.Dispatch.Notify();

        Assert.True(await a.Dispatch.WaitAsync(Long, CancellationToken.None));
        Assert.True(await b.Dispatch.WaitAsync(Long, CancellationToken.None));
    }

    [Fact]
    public async Task ManyNotifies_AreCoalescedButTheLastIsNeverLost()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = await Instance.StartAsync(connection);
        await using var b = await Instance.StartAsync(connection);

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 200; i++)
            {
                a.Dispatch.Notify();
            }

            Assert.True(await b.Dispatch.WaitAsync(Long, CancellationToken.None));
        }
    }

    private sealed class Instance : IAsyncDisposable
    {
        private readonly PostgreSqlDatabase _database;
        private readonly PostgreSqlNotifier _notifier;

        private Instance(string connectionString)
        {
            var options = PostgreSqlTestDatabase.Options(connectionString);
            _database = new PostgreSqlDatabase(options);
            _notifier = new PostgreSqlNotifier(_database, options, TimeProvider.System, NullLogger<PostgreSqlNotifier>.Instance);
            Dispatch = new PostgreSqlDispatchNotifier(_notifier, new PostgreSqlClaimSignal(), TimeProvider.System, NullLogger<PostgreSqlDispatchNotifier>.Instance);
        }

        public PostgreSqlDispatchNotifier Dispatch { get; }

        public static async Task<Instance> StartAsync(string connectionString)
        {
            var instance = new Instance(connectionString);
            await instance._notifier.StartAsync(CancellationToken.None);
            await instance._notifier.Listening.WaitAsync(Long);
            return instance;
        }

        public async ValueTask DisposeAsync()
        {
            await _notifier.StopAsync(CancellationToken.None);
            Dispatch.Dispose();
            _notifier.Dispose();
            await _database.DisposeAsync();
        }
    }
}
