using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlNotifierTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task Publish_OnOneInstance_ReachesTheSubscribersOfAnother()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = await Instance.StartAsync(connection);
        await using var b = await Instance.StartAsync(connection);

        await a.Notifier.PublishAsync(PostgreSqlChannels.Feeds, "session-1", CancellationToken.None);

        await Eventually.TrueAsync(() => b.Received(PostgreSqlChannels.Feeds).Contains("session-1"));
        Assert.DoesNotContain("session-1", b.Received(PostgreSqlChannels.Votes));
    }

    [Fact]
    public async Task Notify_InARolledBackTransaction_IsNeverDelivered()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var listener = await Instance.StartAsync(connection);
        await using var sender = new NpgsqlConnection(connection);
        await sender.OpenAsync();

        await using (var transaction = await sender.BeginTransactionAsync())
        {
            await using var rolledBack = PostgreSqlNotifier.Notify(sender, PostgreSqlChannels.Entries, "rolled-back", transaction);
            await rolledBack.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await using (var transaction = await sender.BeginTransactionAsync())
        {
            await using var committed = PostgreSqlNotifier.Notify(sender, PostgreSqlChannels.Entries, "committed", transaction);
            await committed.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        // Notifications from one session arrive in commit order: once "committed" is in, "rolled-back" would be too.
        await Eventually.TrueAsync(() => listener.Received(PostgreSqlChannels.Entries).Contains("committed"));
        Assert.Equal("committed", Assert.Single(listener.Received(PostgreSqlChannels.Entries)));
    }

    [Fact]
    public async Task SessionLost_Reconnects_WakesEverySubscriber_AndDeliversAgain()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var listener = await Instance.StartAsync(connection, "notifier-reconnect-" + Guid.NewGuid().ToString("N")[..8]);
        await using var publisher = await Instance.StartAsync(connection);

        Assert.Equal(1, await server.TerminateSessionsAsync(listener.ApplicationName!));

        // A null payload: signals may have been missed while the session was down, so subscribers look at the store.
        await Eventually.TrueAsync(() => listener.Received(PostgreSqlChannels.Entries).Contains(null));
        await Eventually.TrueAsync(() => listener.Received(PostgreSqlChannels.Votes).Contains(null));
        await Eventually.TrueAsync(async () =>
        {
            // Published again until the new session listens: each try waits for the listener's next arrival, not a time.
            await publisher.Notifier.PublishAsync(PostgreSqlChannels.Votes, "after", CancellationToken.None);
            return await listener.ReceivesAsync(PostgreSqlChannels.Votes, "after", TimeSpan.FromSeconds(1));
        });
    }

    [Fact]
    public void Subscribe_UnknownChannel_IsRefused()
    {
        var options = PostgreSqlTestDatabase.Options("Host=127.0.0.1");
        var notifier = new PostgreSqlNotifier(new PostgreSqlDatabase(options), options, TimeProvider.System, NullLogger<PostgreSqlNotifier>.Instance);

        Assert.Throws<ArgumentException>(() => notifier.Subscribe("not_a_channel", _ => { }));
    }

    private sealed class Instance : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<string?>> _received = new();
        private readonly SemaphoreSlim _arrivals = new(0);

        private Instance(string connectionString, string? applicationName)
        {
            ApplicationName = applicationName;
            var options = PostgreSqlTestDatabase.Options(connectionString, applicationName);
            Database = new PostgreSqlDatabase(options);
            Notifier = new PostgreSqlNotifier(Database, options, TimeProvider.System, NullLogger<PostgreSqlNotifier>.Instance);
            foreach (var channel in PostgreSqlChannels.All)
            {
                var queue = _received.GetOrAdd(channel, _ => new ConcurrentQueue<string?>());
                Notifier.Subscribe(channel, payload =>
                {
                    queue.Enqueue(payload);
                    _arrivals.Release();
                });
            }
        }

        public string? ApplicationName { get; }

        public PostgreSqlDatabase Database { get; }

        public PostgreSqlNotifier Notifier { get; }

        public static async Task<Instance> StartAsync(string connectionString, string? applicationName = null)
        {
            var instance = new Instance(connectionString, applicationName);
            await instance.Notifier.StartAsync(CancellationToken.None);
            await instance.Notifier.Listening.WaitAsync(TimeSpan.FromSeconds(10));
            return instance;
        }

        public string?[] Received(string channel) => [.. _received[channel]];

        /// <summary>Whether <paramref name="payload"/> is on <paramref name="channel"/>, waiting for arrivals up to <paramref name="within"/>.</summary>
        public async Task<bool> ReceivesAsync(string channel, string payload, TimeSpan within)
        {
            while (!_received[channel].Contains(payload))
            {
                if (!await _arrivals.WaitAsync(within))
                {
                    return false;
                }
            }

            return true;
        }

        public async ValueTask DisposeAsync()
        {
            await Notifier.StopAsync(CancellationToken.None);
            Notifier.Dispose();
            await Database.DisposeAsync();
            _arrivals.Dispose();
        }
    }
}
