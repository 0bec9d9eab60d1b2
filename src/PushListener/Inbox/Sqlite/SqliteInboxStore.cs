using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PushListener.Pipeline;
using PushListener.Subscriptions;

namespace PushListener.Inbox.Sqlite;

/// <summary>
/// The embedded inbox: SQLite in WAL mode with <c>synchronous=FULL</c>, because <c>OK</c> promises the notification is
/// kept: every commit is on disk before anyone hears OK. One <see cref="GroupCommitWriter"/> makes every write; reads use
/// their own pooled connections, which WAL lets run beside the writer.
/// </summary>
internal sealed class SqliteInboxStore(string databasePath, InboxOptions options, TimeProvider time, Telemetry.PushListenerMetrics? metrics = null) : IInboxStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private SqliteConnection? _writerConnection;
    private GroupCommitWriter? _writer;

    public string DatabasePath { get; } = databasePath;

    /// <summary>Transactions the writer committed (for tests and metrics).</summary>
    public long Transactions => _writer?.Transactions ?? 0;

    /// <summary>Writes the writer committed.</summary>
    public long Writes => _writer?.Writes ?? 0;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(DatabasePath))!);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // The writer's page cache (16 MB) keeps recent index and registry pages in memory. A background connection
            // checkpoints the WAL every second (CheckpointAsync), so the writer's commits rarely copy pages back; the
            // writer's own automatic checkpoint (CheckpointPages) stays as the backstop that completes a checkpoint and
            // lets the WAL restart: under sustained load the background one alone never catches up, and the WAL grew
            // without bound (docs/benchmarks.md).
            Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint={options.CheckpointPages};");
            var version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            var hasTables = Scalar(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox'") is not null;
            if (hasTables && version != SqliteSchema.Version)
            {
                throw new InvalidOperationException($"{DatabasePath} has inbox schema version {version}; this build uses version {SqliteSchema.Version}. It was made by an older pre-release build: move it aside (after replaying or exporting what it holds) and start again.");
            }

            Execute(connection, SqliteSchema.Create);
            Execute(connection, $"PRAGMA user_version = {SqliteSchema.Version}");
            if (options.MaxSizeMegabytes > 0)
            {
                var pageSize = Convert.ToInt64(Scalar(connection, "PRAGMA page_size"), CultureInfo.InvariantCulture);
                Execute(connection, $"PRAGMA max_page_count={(options.MaxSizeMegabytes * 1024L * 1024L) / pageSize}");
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _writerConnection = connection;
        _writer = new GroupCommitWriter(connection, options.WriteQueueCapacity, options.MaxBatchSize, metrics);
        return Task.CompletedTask;
    }

    public async ValueTask<AppendResult> AppendAsync(InboxAppend append, CancellationToken cancellationToken)
    {
        var listener = Committed;
        if (listener is null)
        {
            return await Writer.WriteAsync(connection => SqliteRegistry.Append(connection, append), cancellationToken).ConfigureAwait(false);
        }

        var inserted = new List<StoredEntry>(1);
        return await Writer.WriteAsync(
            connection =>
            {
                inserted.Clear();
                return SqliteRegistry.Append(connection, append, inserted);
            },
            _ =>
            {
                foreach (var entry in inserted)
                {
                    listener(entry);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Action<StoredEntry>? Committed { get; set; }

    public async Task<IReadOnlyList<StoredEntry>> ReadPendingAsync(long afterId, int max, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<StoredEntry>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT id, kind, dedupe_key, subscription_id, message_index, received_at, request_server_version, registration,
                       CASE WHEN kind = 1 THEN (SELECT body FROM inbox_bodies b WHERE b.id = inbox.id) END, attempts
                FROM inbox WHERE state = 0 AND id > $after ORDER BY id LIMIT $max
                """;
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$max", max);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new StoredEntry(
                    reader.GetInt64(0),
                    (EntryKind)reader.GetInt32(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt32(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? [] : (byte[])reader.GetValue(8),
                    reader.GetInt32(9),
                    new HashSet<string>(StringComparer.Ordinal)));
            }
        }

        if (entries.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT entry_id, handler FROM deliveries WHERE status = 0 AND entry_id BETWEEN $first AND $last";
            command.Parameters.AddWithValue("$first", entries[0].Id);
            command.Parameters.AddWithValue("$last", entries[^1].Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var byId = entries.ToDictionary(e => e.Id);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (byId.TryGetValue(reader.GetInt64(0), out var entry))
                {
                    ((HashSet<string>)entry.SucceededHandlers).Add(reader.GetString(1));
                }
            }
        }

        return entries;
    }

    public async Task<byte[]?> ReadBodyAsync(long entryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM inbox_bodies WHERE id = $id";
        command.Parameters.AddWithValue("$id", entryId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    public Task RecordAttemptAsync(long entryId, int attempt, PipelineOutcome outcome, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var update = connection.Statement("UPDATE inbox SET attempts = $attempt WHERE id = $id");
            update.Parameters.AddWithValue("$attempt", attempt);
            update.Parameters.AddWithValue("$id", entryId);
            update.ExecuteNonQuery();

            foreach (var handler in outcome.Handlers)
            {
                if (handler.Status is not (HandlerStatus.Succeeded or HandlerStatus.Failed or HandlerStatus.TimedOut))
                {
                    continue;
                }

                var failed = handler.IsFailure;
                var delivery = connection.Statement("""
                    INSERT INTO deliveries (entry_id, handler, status, attempts, last_error, updated_at)
                    VALUES ($id, $handler, $status, 1, $error, $now)
                    ON CONFLICT (entry_id, handler) DO UPDATE SET status = $status, attempts = attempts + 1, last_error = $error, updated_at = $now
                    """);
                delivery.Parameters.AddWithValue("$id", entryId);
                delivery.Parameters.AddWithValue("$handler", handler.Handler);
                delivery.Parameters.AddWithValue("$status", failed ? 1 : 0);
                delivery.Parameters.AddWithValue("$error", failed ? handler.Detail ?? handler.Status.ToString() : DBNull.Value);
                delivery.Parameters.AddWithValue("$now", now);
                delivery.ExecuteNonQuery();
                if (failed)
                {
                    var stats = connection.Statement("""
                        INSERT INTO handler_failures (handler, failures, last_error, last_failed_at) VALUES ($handler, 1, $error, $now)
                        ON CONFLICT (handler) DO UPDATE SET failures = failures + 1, last_error = $error, last_failed_at = $now
                        """);
                    stats.Parameters.AddWithValue("$handler", handler.Handler);
                    stats.Parameters.AddWithValue("$error", handler.Detail ?? handler.Status.ToString());
                    stats.Parameters.AddWithValue("$now", now);
                    stats.ExecuteNonQuery();
                }
            }

            return true;
        }, cancellationToken).AsTask();

    public Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            var command = connection.Statement("UPDATE inbox SET state = 1, attempts = $attempts, vote = $vote, vote_reason = $reason, finished_at = $now, last_error = NULL WHERE id = $id");
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$vote", (int)vote);
            command.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", entryId);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task DeadLetterAsync(long entryId, string lastError, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE inbox SET state = 2, last_error = $error, finished_at = $now WHERE id = $id";
            command.Parameters.AddWithValue("$error", lastError);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", entryId);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task SetStickyVoteAsync(string subscriptionId, string? reason, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO sticky_votes (subscription_id, reason, created_at) VALUES ($sub, $reason, $now) ON CONFLICT (subscription_id) DO UPDATE SET reason = $reason";
            command.Parameters.AddWithValue("$sub", subscriptionId);
            command.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task ClearStickyVoteAsync(string subscriptionId, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM sticky_votes WHERE subscription_id = $sub";
            command.Parameters.AddWithValue("$sub", subscriptionId);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<IReadOnlyDictionary<string, string?>> ReadStickyVotesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT subscription_id, reason FROM sticky_votes";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var votes = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            votes[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return votes;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT i.id, i.subscription_id, i.received_at, i.attempts, i.last_error, i.finished_at,
                   (SELECT group_concat(d.handler, char(10)) FROM deliveries d WHERE d.entry_id = i.id AND d.status = 1)
            FROM inbox i WHERE i.state = 2 ORDER BY i.id LIMIT $max
            """;
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? [] : reader.GetString(6).Split('\n')));
        }

        return letters;
    }

    public Task<int> ReplayDeadLettersAsync(long? entryId, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            // A replayed entry gets a new id, so a running dispatcher (which reads forward by id) picks it up;
            // its delivery state moves along, so handlers that had succeeded are not run again.
            var ids = new List<long>();
            using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT id FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id) ORDER BY id";
                select.Parameters.AddWithValue("$id", (object?)entryId ?? DBNull.Value);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            foreach (var id in ids)
            {
                Replay(connection, id);
            }

            return ids.Count;
        }, cancellationToken).AsTask();

    // The copy takes a placeholder hash until the original, which holds the unique dedupe hash, is gone.
    private static void Replay(SqliteConnection connection, long id)
    {
        byte[] hash;
        long copy;
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO inbox (kind, dedupe_key, dedupe_hash, subscription_id, message_index, received_at, request_server_version, registration, state, attempts)
                SELECT kind, dedupe_key, randomblob(32), subscription_id, message_index, received_at, request_server_version, registration, 0, 0 FROM inbox WHERE id = $id
                RETURNING id
                """;
            insert.Parameters.AddWithValue("$id", id);
            copy = (long)insert.ExecuteScalar()!;
        }

        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT dedupe_hash FROM inbox WHERE id = $id";
            read.Parameters.AddWithValue("$id", id);
            hash = (byte[])read.ExecuteScalar()!;
        }

        using var move = connection.CreateCommand();
        move.CommandText = """
            INSERT INTO inbox_bodies (id, body) SELECT $copy, body FROM inbox_bodies WHERE id = $id;
            UPDATE deliveries SET entry_id = $copy, attempts = 0 WHERE entry_id = $id AND status = 0;
            DELETE FROM deliveries WHERE entry_id = $id;
            DELETE FROM inbox_bodies WHERE id = $id;
            DELETE FROM inbox WHERE id = $id;
            UPDATE inbox SET dedupe_hash = $hash WHERE id = $copy;
            """;
        move.Parameters.AddWithValue("$id", id);
        move.Parameters.AddWithValue("$copy", copy);
        move.Parameters.AddWithValue("$hash", hash);
        move.ExecuteNonQuery();
    }

    public Task<int> PurgeDeadLettersAsync(long? entryId, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM deliveries WHERE entry_id IN (SELECT id FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id));
                DELETE FROM inbox_bodies WHERE id IN (SELECT id FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id));
                DELETE FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id);
                """;
            command.Parameters.AddWithValue("$id", (object?)entryId ?? DBNull.Value);
            command.ExecuteNonQuery();
            using var changes = connection.CreateCommand();
            changes.CommandText = "SELECT changes()";
            return Convert.ToInt32(changes.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken).AsTask();

    public async Task<InboxStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        long pending = 0, done = 0, dead = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT state, count(*) FROM inbox GROUP BY state";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                switch ((EntryState)reader.GetInt32(0))
                {
                    case EntryState.Pending: pending = reader.GetInt64(1); break;
                    case EntryState.Done: done = reader.GetInt64(1); break;
                    case EntryState.Dead: dead = reader.GetInt64(1); break;
                }
            }
        }

        var sticky = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sticky_votes"), CultureInfo.InvariantCulture);
        // The lowest pending id through the (state, id) index: one row read, however deep the backlog.
        var oldest = Scalar(connection, "SELECT received_at FROM inbox WHERE state = 0 ORDER BY id LIMIT 1") is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        var handlers = new List<HandlerFailureStats>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT handler, failures, last_error, last_failed_at FROM handler_failures ORDER BY handler";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                handlers.Add(new HandlerFailureStats(
                    reader.GetString(0),
                    reader.GetInt64(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
            }
        }

        return new InboxStats(pending, done, dead, sticky, handlers, oldest);
    }

    public Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM deliveries WHERE entry_id IN (SELECT id FROM inbox WHERE state = 1 AND received_at < $before);
                DELETE FROM inbox_bodies WHERE id IN (SELECT id FROM inbox WHERE state = 1 AND received_at < $before);
                DELETE FROM inbox WHERE state = 1 AND received_at < $before;
                """;
            command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            using var changes = connection.CreateCommand();
            changes.CommandText = "SELECT changes()";
            return Convert.ToInt32(changes.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken).AsTask();

    public async Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(SubscriptionState? state, int max, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRegistry.SelectColumns} FROM subscriptions WHERE $state IS NULL OR state = $state ORDER BY last_seen DESC LIMIT $max";
        command.Parameters.AddWithValue("$state", state is null ? DBNull.Value : (int)state);
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<SubscriptionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(SqliteRegistry.Read(reader));
        }

        return records;
    }

    public async Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRegistry.SelectColumns} FROM subscriptions WHERE subscription_id = $sub";
        command.Parameters.AddWithValue("$sub", subscriptionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SqliteRegistry.Read(reader) : null;
    }

    public async Task<bool> MarkUnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken) =>
        await Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE subscriptions SET state = 3 WHERE subscription_id = $sub AND state <> 4";
            command.Parameters.AddWithValue("$sub", subscriptionId);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    public Task RecordRefusedAsync(string subscriptionId, string? requestServerVersion, DateTimeOffset at, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO subscriptions (subscription_id, state, first_seen, last_seen, request_server_version, last_error, last_error_at)
                VALUES ($sub, 4, $now, $now, $version, 'refused: unknown subscription', $now)
                ON CONFLICT (subscription_id) DO UPDATE SET state = 4, last_seen = $now, last_error = 'refused: unknown subscription', last_error_at = $now
                """;
            command.Parameters.AddWithValue("$sub", subscriptionId);
            command.Parameters.AddWithValue("$now", at.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$version", (object?)requestServerVersion ?? DBNull.Value);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<IReadOnlyList<LifecycleEvent>> DetectSilentAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await Writer.WriteAsync(connection => SqliteRegistry.DetectSilent(connection, now), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Registration>> ReadRegistrationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash FROM registrations ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var registrations = new List<Registration>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            registrations.Add(new Registration(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4).Split('\n', StringSplitOptions.RemoveEmptyEntries),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                "api"));
        }

        return registrations;
    }

    public Task UpsertRegistrationAsync(Registration registration, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO registrations (name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash, updated_at)
                VALUES ($name, $mailbox, $frequency, $owner, $ids, $token, $now)
                ON CONFLICT (name) DO UPDATE SET mailbox = $mailbox, status_frequency = $frequency, owner_tag = $owner, subscription_ids = $ids, token_hash = $token, updated_at = $now
                """;
            command.Parameters.AddWithValue("$name", registration.Name);
            command.Parameters.AddWithValue("$mailbox", (object?)registration.Mailbox ?? DBNull.Value);
            command.Parameters.AddWithValue("$frequency", (object?)registration.StatusFrequency ?? DBNull.Value);
            command.Parameters.AddWithValue("$owner", (object?)registration.OwnerTag ?? DBNull.Value);
            command.Parameters.AddWithValue("$ids", string.Join('\n', registration.SubscriptionIds));
            command.Parameters.AddWithValue("$token", (object?)registration.TokenHash ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<bool> DeleteRegistrationAsync(string name, CancellationToken cancellationToken) =>
        await Writer.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM registrations WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyDictionary<string, string>> ReadSubscriptionLinksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT subscription_id, registration FROM subscriptions WHERE registration IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links[reader.GetString(0)] = reader.GetString(1);
        }

        return links;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_writerConnection is not null)
        {
            await _writerConnection.DisposeAsync().ConfigureAwait(false);
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Copies committed WAL frames into the database without blocking the writer (PASSIVE), and restarts the WAL when
    /// readers allow it, so that it does not grow without bound. Called periodically by <see cref="InboxCheckpointService"/>.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the group-commit writer: for other stores that live in the same database (feeds),
    /// so every write still goes through the one writer and commits with its batch.
    /// </summary>
    public ValueTask<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => Writer.WriteAsync(work, cancellationToken);

    /// <summary>A read connection to the same database (WAL: reads run beside the writer). Dispose it.</summary>
    public Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>Runs DDL (idempotent <c>CREATE ... IF NOT EXISTS</c>) for another store in the same database.</summary>
    public Task ApplySchemaAsync(string sql, CancellationToken cancellationToken) =>
        Writer.WriteAsync(connection =>
        {
            Execute(connection, sql);
            return true;
        }, cancellationToken).AsTask();

    private GroupCommitWriter Writer => _writer ?? throw new InvalidOperationException("The inbox store is not initialised.");

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
