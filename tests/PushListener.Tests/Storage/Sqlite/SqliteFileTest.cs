using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using PushListener.Inbox;
using PushListener.Storage.Sqlite;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>
/// The base of SQLite tests that need the database file itself (migrations, reopening, looking at tables): a data folder
/// per test, deleted afterwards, a fake clock, and plain connections to the file beside the store's own.
/// </summary>
public abstract class SqliteFileTest : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", "sqlite-" + Guid.NewGuid().ToString("N"));

    private protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private protected string DatabasePath => Path.Combine(_folder, "inbox.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The store's database on the file, opened and migrated.</summary>
    private protected async Task<SqliteDatabase> OpenDatabaseAsync()
    {
        var database = new SqliteDatabase(DatabasePath, new InboxOptions(), Time);
        await database.InitializeAsync(CancellationToken.None);
        return database;
    }

    /// <summary>A plain connection to the file, outside the store.</summary>
    private protected SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private protected static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>The first column of every row <paramref name="sql"/> returns.</summary>
    private protected static List<T> Column<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
