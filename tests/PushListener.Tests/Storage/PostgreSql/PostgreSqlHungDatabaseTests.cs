using System.Net;
using System.Text.Json;
using Npgsql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>
/// The database is up but does not answer: another session holds the tables the listener writes (as a hung or paused
/// server would hold every statement). Pushes must get Server faults, and readiness 503, within the configured bounds.
/// </summary>
public sealed class PostgreSqlHungDatabaseTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    // Bounds the test, far above the one-second timeouts configured: without them a push waited 30 s (Npgsql's default).
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 120_000)]
    public async Task StatementsHeldByALock_PushGetsAServerFault_AndReadinessIs503()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var factory = Listener(connection);
        using var client = factory.CreateClient();
        client.Timeout = RequestBound;
        var subscription = PushBuilder.SubscriptionId(1);
        // As Exchange would: the first push of a cold pool may need longer than the one-second bound on a busy machine.
        await Eventually.TrueAsync(() => IsOkAsync(client, subscription, 1), RequestBound);

        await using (var holder = await HoldTablesAsync(connection))
        {
            await AssertServerFaultAsync(client, subscription, 2);
            await AssertNotReadyAsync(client);
        }

        // Exchange sends it again once the database answers.
        await Eventually.TrueAsync(() => IsOkAsync(client, subscription, 2), RequestBound);
        await Eventually.TrueAsync(async () => (await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, RequestBound);
    }

    [Fact(Timeout = 120_000)]
    public async Task StatementsWithoutATimeoutHeldByALock_PushGetsAServerFault_AndTheLateCommitIsADuplicate()
    {
        // The connection string turns Npgsql's statement timeout off: only the push's own bound on its wait is left.
        var connection = await server.CreateDatabaseAsync();
        await using var factory = Listener(new NpgsqlConnectionStringBuilder(connection) { CommandTimeout = 0 }.ConnectionString);
        using var client = factory.CreateClient();
        client.Timeout = RequestBound;
        var subscription = PushBuilder.SubscriptionId(2);
        await Eventually.TrueAsync(() => IsOkAsync(client, subscription, 1), RequestBound);

        await using (var holder = await HoldTablesAsync(connection))
        {
            await AssertServerFaultAsync(client, subscription, 2);
            await AssertNotReadyAsync(client);
        }

        // The writer that was waiting commits the push when the lock goes, before any retry: Exchange's retry is then a
        // duplicate, answered OK and not stored again.
        var count = $"SELECT count(*) FROM entries WHERE kind = 0 AND subscription_id = '{subscription}'";
        await Eventually.TrueAsync(async () => await PostgreSqlTestDatabase.ScalarAsync<long>(connection, count) == 2L, RequestBound);
        await AssertOkAsync(client, subscription, 2);
        Assert.Equal(2L, await PostgreSqlTestDatabase.ScalarAsync<long>(connection, count));
    }

    private static ListenerFactory Listener(string connection) => new ListenerFactory()
        .With("PushListener:Storage:Provider", "PostgreSql")
        .With("ConnectionStrings:PushListener", connection)
        .With("PushListener:Storage:PostgreSql:ConnectTimeout", "00:00:02")
        .With("PushListener:Storage:PostgreSql:CommandTimeout", "00:00:01")
        .With("PushListener:Health:CheckTimeout", "00:00:01")
        .With("PushListener:Health:CacheDuration", "00:00:00");

    /// <summary>A session holding the entry log and the probe table: every statement on them waits until it ends.</summary>
    private static async Task<NpgsqlConnection> HoldTablesAsync(string connection)
    {
        var holder = new NpgsqlConnection(connection);
        await holder.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE entries, probe IN ACCESS EXCLUSIVE MODE", holder);
        await command.ExecuteNonQueryAsync();
        return holder;
    }

    private static async Task AssertOkAsync(HttpClient client, string subscription, int sequence) => Assert.True(await IsOkAsync(client, subscription, sequence));

    private static async Task<bool> IsOkAsync(HttpClient client, string subscription, int sequence)
    {
        using var reply = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, sequence)));
        return reply.IsSuccessStatusCode && Soap.StatusOf(await reply.Content.ReadAsStringAsync()) == "OK";
    }

    private static async Task AssertServerFaultAsync(HttpClient client, string subscription, int sequence)
    {
        using var reply = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, sequence)));
        Assert.Equal(HttpStatusCode.InternalServerError, reply.StatusCode);
        Assert.Equal("s:Server", Soap.FaultOf(await reply.Content.ReadAsStringAsync()).Code);
    }

    private static async Task AssertNotReadyAsync(HttpClient client)
    {
        using var ready = await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("inbox-writable").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", checks.GetProperty("postgresql").GetProperty("status").GetString());
    }
}
