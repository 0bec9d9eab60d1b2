using System.Globalization;
using Microsoft.Data.Sqlite;
using PushListener.Inbox;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// The SQLite database every SQLite role store lives in: WAL mode with <c>synchronous=FULL</c> (a commit is on disk
/// before anyone hears OK), one <see cref="GroupCommitWriter"/> that makes every write, pooled read connections beside it.
/// The listener that serves the data folder holds <c>inbox.lock</c> in it, so no second listener shares the database
/// (leases of a previous run are then known to be stale and are released at start-up). The command line opens the
/// database without the lock: it reads, and writes only through short transactions of its own.
/// </summary>
internal sealed class SqliteDatabase : IStorageInitializer, IAsyncDisposable
{
    private readonly InboxOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _serveDataFolder;
    private readonly Telemetry.PushListenerMetrics? _metrics;
    private readonly string _connectionString;
    private SqliteConnection? _writerConnection;
    private GroupCommitWriter? _writer;
    private FileStream? _lock;

    public SqliteDatabase(string databasePath, InboxOptions options, TimeProvider time, bool serveDataFolder = true, Telemetry.PushListenerMetrics? metrics = null)
    {
        _metrics = metrics;
        DatabasePath = databasePath;
        _options = options;
        _time = time;
        _serveDataFolder = serveDataFolder;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public TimeProvider Time => _time;

    /// <summary>
    /// False while the database is known to hold no sticky vote: appends then skip looking for one. Set when a vote is
    /// stored (by this process: votes come from its dispatcher) and at start-up when the table is not empty.
    /// </summary>
    public bool StickyVotesMayExist { get; set; }

    /// <summary>Transactions the writer committed (for tests and metrics).</summary>
    public long Transactions => _writer?.Transactions ?? 0;

    /// <summary>Writes the writer committed.</summary>
    public long Writes => _writer?.Writes ?? 0;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(DatabasePath))!;
        Directory.CreateDirectory(folder);
        if (_serveDataFolder)
        {
            _lock = await LockAsync(folder, cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // The writer's page cache (16 MB) keeps recent index and registry pages in memory. A background connection
            // checkpoints the WAL every second (CheckpointAsync), so the writer's commits rarely copy pages back; the
            // writer's own automatic checkpoint (CheckpointPages) stays as the backstop that lets the WAL restart.
            Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint={_options.CheckpointPages};");
            SqliteMigrator.Migrate(connection, DatabasePath, _time);
            if (_serveDataFolder)
            {
                // One listener per data folder (the lock above): whatever a previous run held, nobody holds now.
                Execute(connection, "UPDATE inbox SET owner = NULL, lease_until = 0 WHERE state = 0 AND owner IS NOT NULL");
            }

            StickyVotesMayExist = Scalar(connection, "SELECT 1 FROM sticky_votes LIMIT 1") is not null;
            if (_options.MaxSizeMegabytes > 0)
            {
                var pageSize = Convert.ToInt64(Scalar(connection, "PRAGMA page_size"), CultureInfo.InvariantCulture);
                Execute(connection, $"PRAGMA max_page_count={(_options.MaxSizeMegabytes * 1024L * 1024L) / pageSize}");
            }
        }
        catch
        {
            connection.Dispose();
            _lock?.Dispose();
            _lock = null;
            throw;
        }

        _writerConnection = connection;
        _writer = new GroupCommitWriter(connection, _options.WriteQueueCapacity, _options.MaxBatchSize, _metrics);
    }

    // A listener that is stopping may hold the lock for a moment (a restart): wait for it a little before giving up.
    private static async Task<FileStream> LockAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, "inbox.lock");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (attempt >= 100)
            {
                throw new InvalidOperationException($"{folder} is in use by another PushListener process; a SQLite data folder serves one listener (set {InboxOptions.SectionName}:DataFolder, or use PostgreSQL storage for several instances).", ex);
            }
            catch (IOException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on the writer; completes after the transaction that carries it commits.</summary>
    public ValueTask<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => Writer.WriteAsync(work, cancellationToken);

    /// <summary>A read connection (WAL: reads run beside the writer). Dispose it.</summary>
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Copies committed WAL frames into the database without blocking the writer (PASSIVE), so that the WAL does not
    /// grow without bound. Called every second by <see cref="SqliteCheckpointService"/>.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }

        if (_writerConnection is not null)
        {
            await _writerConnection.DisposeAsync().ConfigureAwait(false);
            _writerConnection = null;
        }

        using (var pooled = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        if (_lock is not null)
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
            _lock = null;
        }
    }

    private GroupCommitWriter Writer => _writer ?? throw new InvalidOperationException("The SQLite store is not initialised.");

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    internal static object Nullable(object? value) => value ?? DBNull.Value;

    internal static DateTimeOffset? TimeOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    internal static string? StringOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
