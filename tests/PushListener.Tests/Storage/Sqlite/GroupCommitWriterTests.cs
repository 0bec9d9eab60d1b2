using Microsoft.Data.Sqlite;
using PushListener.Storage.Sqlite;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>
/// The group-commit writer runs a batch without savepoints; when one write fails on its own, the batch is undone and run
/// again write by write, so the failing write fails alone and leaves nothing behind.
/// </summary>
public sealed class GroupCommitWriterTests : SqliteFileTest
{

    [Fact]
    public async Task WriteFailingInABatch_FailsAloneAndLeavesNothing_TheOthersCommit()
    {
        await using var database = await OpenAsync();
        var runs = new int[3];
        var (batch, release) = await HoldWriterAsync(database);
        var first = database.WriteAsync(connection => Run(ref runs[0], connection, "INSERT INTO t (id, v) VALUES (1, 'a')"), CancellationToken.None);
        // Its first statement succeeds, its second breaks a constraint: the first must be undone too.
        var failing = database.WriteAsync(connection => Run(ref runs[1], connection, "INSERT INTO t (id, v) VALUES (2, 'b')", "INSERT INTO t (id, v) VALUES (3, NULL)"), CancellationToken.None);
        var last = database.WriteAsync(connection => Run(ref runs[2], connection, "INSERT INTO t (id, v) VALUES (4, 'c')"), CancellationToken.None);
        release.Set();
        await batch;

        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<SqliteException>(async () => await failing);
        Assert.Equal(1, await last);
        Assert.Equal([1L, 4L], await IdsAsync(database));
        // The batch ran once as a whole and once write by write; the last write never ran in the first pass.
        Assert.Equal([2, 2, 1], runs);
    }

    [Fact]
    public async Task BatchWithoutFailures_RunsEachWriteOnce()
    {
        await using var database = await OpenAsync();
        var runs = new int[2];
        var (batch, release) = await HoldWriterAsync(database);
        var first = database.WriteAsync(connection => Run(ref runs[0], connection, "INSERT INTO t (id, v) VALUES (1, 'a')"), CancellationToken.None);
        var second = database.WriteAsync(connection => Run(ref runs[1], connection, "INSERT INTO t (id, v) VALUES (2, 'b')"), CancellationToken.None);
        var transactions = database.Transactions;
        release.Set();
        await batch;

        Assert.Equal(1, await first);
        Assert.Equal(1, await second);
        Assert.Equal([1, 1], runs);
        Assert.Equal([1L, 2L], await IdsAsync(database));
        Assert.Equal(transactions + 2, database.Transactions);
    }

    private async Task<SqliteDatabase> OpenAsync()
    {
        var database = await OpenDatabaseAsync();
        await database.WriteAsync(connection => Execute(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"), CancellationToken.None);
        return database;
    }

    // Blocks the writer thread in a write of its own until released, so that the writes queued meanwhile form one batch.
    private static async Task<(Task Held, ManualResetEventSlim Release)> HoldWriterAsync(SqliteDatabase database)
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        var held = database.WriteAsync(
            _ =>
            {
                holding.TrySetResult();
                return release.Wait(TimeSpan.FromSeconds(30));
            },
            CancellationToken.None).AsTask();
        await holding.Task;
        return (held, release);
    }

    // Counts the runs (on the writer thread; read after the writes complete), then runs the statements.
    private static int Run(ref int runs, SqliteConnection connection, params string[] statements)
    {
        runs++;
        var changed = 0;
        foreach (var sql in statements)
        {
            changed += Execute(connection, sql);
        }

        return changed;
    }

    private static async Task<List<long>> IdsAsync(SqliteDatabase database)
    {
        await using var connection = await database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM t ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static int Execute(SqliteConnection connection, string sql)
    {
        var command = connection.Statement(sql);
        return command.ExecuteNonQuery();
    }
}
