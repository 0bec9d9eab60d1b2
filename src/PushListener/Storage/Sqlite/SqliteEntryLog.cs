using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// The entry log in SQLite. Appends, claims and state changes run on the database's group-commit writer, so a claim
/// sees every committed append and two claims never overlap; reads of counts use read connections.
/// </summary>
internal sealed class SqliteEntryLog(SqliteDatabase database) : IEntryLog
{
    private static readonly IReadOnlySet<string> NoHandlers = new HashSet<string>();
    private readonly ConcurrentQueue<Completion> _completions = new();

    // The window of recent dedupe keys being rewritten: one record's room, then the subscription's stored window. Used by
    // the append only, which runs on the writer's thread, one at a time.
    private readonly byte[] _window = new byte[RecentDedupeKeys.RecordBytes + RecentDedupeKeys.MaxBytes];
    private int _flushQueued;

    public ValueTask<PushAppendResult> AppendAsync(PushAppend push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        return database.WriteAsync(connection => Append(connection, push), cancellationToken);
    }

    private PushAppendResult Append(SqliteConnection connection, PushAppend push)
    {
        var results = new MessageAppendResult[push.Messages.Count];
        var crowded = SubscriptionsBeyondTheWindow(push);
        long? bodyId = null;
        for (var i = 0; i < results.Length; i++)
        {
            var message = push.Messages[i];
            var hash = SqliteEntryRows.HashKey(message.DedupeKey);
            var (unsubscribe, reason) = message.SubscriptionId is { } subscription && database.StickyVotesMayExist ? TakeStickyVote(connection, subscription) : (false, null);
            // A watermark key of a subscription is looked for in the subscription's window of recent keys (in its registry
            // row, which storing the message rewrites anyway); every other key, and a watermark key stored outside a window,
            // in the partial unique index on dedupe_hash. Both are looked at: a retry is found wherever its original went.
            var windowed = DedupeKey.IsWatermarkKey(message.DedupeKey) && message.SubscriptionId is not null && message.Registry is not null
                && (crowded is null || !crowded.Contains(message.SubscriptionId));
            // One read answers both questions: is the message a retry of a stored entry (and what did that entry earn), and
            // what is stored about its subscription (what the rules decide on). A retry names the same subscription.
            var lookup = connection.Prepared("""
                SELECT i.id, i.state, i.vote, s.state, s.last_watermark, s.last_seen, s.last_push_heartbeat, s.registration, s.expected_interval_ms, s.interval_source, s.recent_keys
                FROM (SELECT 1) LEFT JOIN inbox i ON i.dedupe_hash = ?1 LEFT JOIN subscriptions s ON s.subscription_id = coalesce(i.subscription_id, ?2)
                """);
            SubscriptionState? stored;
            SubscriptionSnapshot? snapshot;
            (long Id, EntryState State, SubscriptionStatus? Vote)? original = null;
            var windowLength = 0;
            try
            {
                lookup.Bind(1, hash);
                lookup.Bind(2, message.SubscriptionId);
                lookup.Step();
                stored = lookup.IsNull(3) ? null : (SubscriptionState)lookup.GetInt32(3);
                if (!lookup.IsNull(0))
                {
                    original = (lookup.GetInt64(0), (EntryState)lookup.GetInt32(1), lookup.IsNull(2) ? null : (SubscriptionStatus)lookup.GetInt32(2));
                }
                else if (!lookup.IsNull(10) && message.SubscriptionId is not null)
                {
                    // After the record the new entry will take: the new window is written in place.
                    var window = lookup.GetBlobSpan(10);
                    windowLength = Math.Min(window.Length, RecentDedupeKeys.MaxBytes) / RecentDedupeKeys.RecordBytes * RecentDedupeKeys.RecordBytes;
                    window[..windowLength].CopyTo(_window.AsSpan(RecentDedupeKeys.RecordBytes));
                }

                snapshot = stored is null ? null : SqliteSubscriptionRows.Snapshot(lookup, 3);
            }
            finally
            {
                lookup.Reset();
            }

            original ??= FindInWindow(connection, _window.AsSpan(RecentDedupeKeys.RecordBytes, windowLength), hash, message.DedupeKey);
            if (original is { } first)
            {
                // A retry of something stored: nothing changes, not even the registry (no false gap on duplicates).
                var marked = stored is SubscriptionState.Unsubscribing or SubscriptionState.Unsubscribed;
                results[i] = new MessageAppendResult(
                    first.Id,
                    IsDuplicate: true,
                    first.State,
                    first.Vote,
                    unsubscribe || marked,
                    reason ?? (marked ? "marked for unsubscribe" : null),
                    LifecycleEvents: 0);
                continue;
            }

            bodyId ??= InsertBody(connection, push.Body);
            var registration = message.Registry?.Registration;
            var lifecycleEvents = 0;
            PushDecision? decided = null;
            if (message.SubscriptionId is not null && message.Registry is { } observed)
            {
                var decision = SubscriptionRules.OnPush(message.SubscriptionId, snapshot, observed, push.ReceivedAt);
                foreach (var lifecycle in decision.Events)
                {
                    SqliteEntryRows.InsertLifecycle(connection, lifecycle, push.RequestServerVersion, decision.Registration, push.TraceParent);
                }

                decided = decision;
                registration = decision.Registration;
                lifecycleEvents = decision.Events.Count;
                if (decision.Unsubscribe)
                {
                    unsubscribe = true;
                    reason ??= "marked for unsubscribe";
                }
            }

            // A windowed key stays out of the index: its subscription's row, written below, records it.
            var entryId = SqliteEntryRows.Insert(connection, EntryKind.Notification, message.DedupeKey, windowed ? null : hash, message.SubscriptionId, message.MessageIndex, push.ReceivedAt, push.RequestServerVersion, registration, push.TraceParent, bodyId, null);
            if (decided is { } persisted)
            {
                var recentKeys = windowed ? _window.AsSpan(0, RecentDedupeKeys.Prepend(_window, windowLength, hash, entryId)) : default;
                SqliteSubscriptionRows.Persist(connection, message.SubscriptionId!, exists: snapshot is not null, persisted, message.Registry!, push.ReceivedAt, push.RequestServerVersion, recentKeys);
            }

            results[i] = new MessageAppendResult(entryId, IsDuplicate: false, EntryState.Pending, null, unsubscribe, reason, lifecycleEvents);
        }

        return new PushAppendResult(results);
    }

    // Subscriptions with more messages in this push than their window holds: those messages go to the index instead, so
    // that a retry of the whole push is still recognised (a window would keep only its last ones). Exchange's pushes carry
    // one message per subscription; only a push of more than the window's size can have such a subscription.
    private static HashSet<string>? SubscriptionsBeyondTheWindow(PushAppend push)
    {
        if (push.Messages.Count <= DedupeKey.RecentWindow)
        {
            return null;
        }

        return push.Messages
            .Where(static m => m.SubscriptionId is not null)
            .GroupBy(static m => m.SubscriptionId!, StringComparer.Ordinal)
            .Where(static g => g.Count() > DedupeKey.RecentWindow)
            .Select(static g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
    }

    // The stored entry a windowed key belongs to: a record whose hash prefix matches is a candidate, and its entry's stored
    // key decides (an entry deleted by retention is no longer there to match, as with the index).
    private static (long Id, EntryState State, SubscriptionStatus? Vote)? FindInWindow(SqliteConnection connection, ReadOnlySpan<byte> window, byte[] hash, string key)
    {
        for (var offset = RecentDedupeKeys.IndexOf(window, hash, 0); offset >= 0; offset = RecentDedupeKeys.IndexOf(window, hash, offset + RecentDedupeKeys.RecordBytes))
        {
            var id = RecentDedupeKeys.EntryIdAt(window, offset);
            var entry = connection.Prepared("SELECT state, vote, dedupe_key FROM inbox WHERE id = ?1");
            try
            {
                entry.Bind(1, id);
                if (entry.Step() && string.Equals(entry.GetString(2), key, StringComparison.Ordinal))
                {
                    return (id, (EntryState)entry.GetInt32(0), entry.IsNull(1) ? null : (SubscriptionStatus)entry.GetInt32(1));
                }
            }
            finally
            {
                entry.Reset();
            }
        }

        return null;
    }

    private static long InsertBody(SqliteConnection connection, ReadOnlyMemory<byte> body)
    {
        var insert = connection.Prepared("INSERT INTO push_bodies (body) VALUES (?1)");
        insert.Bind(1, body.Span);
        insert.Execute();
        return SqliteEntryRows.LastInsertId(connection);
    }

    private static (bool Taken, string? Reason) TakeStickyVote(SqliteConnection connection, string subscription)
    {
        var take = connection.Statement("DELETE FROM sticky_votes WHERE subscription_id = $sub RETURNING coalesce(reason, 'an earlier Unsubscribe vote')");
        take.Parameters.AddWithValue("$sub", subscription);
        using var reader = take.ExecuteReader();
        return reader.Read() ? (true, reader.GetString(0)) : (false, null);
    }

    public ValueTask<IReadOnlyList<ClaimedEntry>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return database.WriteAsync<IReadOnlyList<ClaimedEntry>>(connection => Claim(connection, owner, max, lease), cancellationToken);
    }

    private ClaimedEntry[] Claim(SqliteConnection connection, string owner, int max, TimeSpan lease)
    {
        var now = database.Time.GetUtcNow();
        var until = now + lease;
        // A subscription is claimable when none of its pending entries is under a live lease; then its oldest pending
        // entries come in id order (LIMIT takes a prefix in id order, so an entry never comes without the earlier ones).
        // "$max + 0": SQLite re-plans a cached statement whenever a bare parameter in LIMIT gets a new value. OR FAIL: as in
        // CompleteAll, no undo copy of the pages it touches.
        var claim = connection.Statement("""
            UPDATE OR FAIL inbox SET owner = $owner, lease_until = $until
            WHERE id IN (
                SELECT e.id FROM inbox e INDEXED BY inbox_pending
                WHERE e.state = 0 AND e.lease_until <= $now
                  AND NOT EXISTS (SELECT 1 FROM inbox p INDEXED BY inbox_pending_by_subscription WHERE p.state = 0 AND p.sub_key = e.sub_key AND p.lease_until > $now)
                ORDER BY e.id LIMIT $max + 0)
            RETURNING id, kind, dedupe_key, subscription_id, message_index, received_at, request_server_version, registration, trace_parent, body_id, payload, attempts
            """);
        claim.Parameters.AddWithValue("$owner", owner);
        claim.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        claim.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        claim.Parameters.AddWithValue("$max", max);
        var rows = new List<(long Id, EntryKind Kind, string Key, string? Sub, int Index, long Received, string? Version, string? Registration, string? Trace, long? Body, byte[]? Payload, int Attempts)>();
        using (var reader = claim.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((
                    reader.GetInt64(0),
                    (EntryKind)reader.GetInt32(1),
                    reader.GetString(2),
                    SqliteDatabase.StringOrNull(reader, 3),
                    reader.GetInt32(4),
                    reader.GetInt64(5),
                    SqliteDatabase.StringOrNull(reader, 6),
                    SqliteDatabase.StringOrNull(reader, 7),
                    SqliteDatabase.StringOrNull(reader, 8),
                    reader.IsDBNull(9) ? null : reader.GetInt64(9),
                    reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10),
                    reader.GetInt32(11)));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        rows.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        var bodies = ReadBodies(connection, rows.Where(static r => r.Body is not null).Select(static r => r.Body!.Value));
        // Handlers that already succeeded (recorded only when an attempt had failures; kept through a replay). Rare, so
        // one range scan of the deliveries' primary key covers the whole claim.
        var succeeded = new Dictionary<long, HashSet<string>>();
        var handlers = connection.Statement("SELECT entry_id, handler FROM deliveries WHERE entry_id BETWEEN $first AND $last AND status = 0");
        handlers.Parameters.AddWithValue("$first", rows[0].Id);
        handlers.Parameters.AddWithValue("$last", rows[^1].Id);
        using (var reader = handlers.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!succeeded.TryGetValue(id, out var set))
                {
                    succeeded[id] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(reader.GetString(1));
            }
        }

        var entries = new ClaimedEntry[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            entries[i] = new ClaimedEntry(
                row.Id,
                row.Kind,
                row.Key,
                row.Sub,
                row.Index,
                DateTimeOffset.FromUnixTimeMilliseconds(row.Received),
                row.Version,
                row.Registration,
                row.Trace,
                row.Body,
                row.Body is { } id ? bodies[id] : row.Payload ?? [],
                row.Attempts,
                succeeded.TryGetValue(row.Id, out var done) ? done : NoHandlers,
                DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds()));
        }

        return entries;
    }

    // The bodies of a claim in one statement (entries of one push share theirs), one instance per body.
    private static Dictionary<long, byte[]> ReadBodies(SqliteConnection connection, IEnumerable<long> bodyIds)
    {
        var bodies = new Dictionary<long, byte[]>();
        foreach (var id in bodyIds)
        {
            bodies.TryAdd(id, []);
        }

        if (bodies.Count == 0)
        {
            return bodies;
        }

        var read = connection.Statement("SELECT id, body FROM push_bodies WHERE id IN (SELECT value FROM json_each($ids))");
        read.Parameters.AddWithValue("$ids", SqliteEntryRows.JsonIds(bodies.Keys));
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            bodies[reader.GetInt64(0)] = (byte[])reader.GetValue(1);
        }

        return bodies;
    }

    public Task<int> RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var renew = connection.Statement("UPDATE inbox SET lease_until = $until WHERE owner = $owner AND state = 0");
            renew.Parameters.AddWithValue("$until", (database.Time.GetUtcNow() + lease).ToUnixTimeMilliseconds());
            renew.Parameters.AddWithValue("$owner", owner);
            return renew.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var release = connection.Statement("UPDATE inbox SET owner = NULL, lease_until = 0 WHERE owner = $owner AND state = 0");
            release.Parameters.AddWithValue("$owner", owner);
            return release.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task RecordAttemptAsync(long entryId, int attempt, IReadOnlyList<HandlerAttempt> handlers, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
            var update = connection.Statement("UPDATE inbox SET attempts = $attempt WHERE id = $id");
            update.Parameters.AddWithValue("$attempt", attempt);
            update.Parameters.AddWithValue("$id", entryId);
            update.ExecuteNonQuery();
            foreach (var handler in handlers)
            {
                var delivery = connection.Statement("""
                    INSERT INTO deliveries (entry_id, handler, status, attempts, last_error, updated_at)
                    VALUES ($id, $handler, $status, 1, $error, $now)
                    ON CONFLICT (entry_id, handler) DO UPDATE SET status = $status, attempts = attempts + 1, last_error = $error, updated_at = $now
                    """);
                delivery.Parameters.AddWithValue("$id", entryId);
                delivery.Parameters.AddWithValue("$handler", handler.Handler);
                delivery.Parameters.AddWithValue("$status", handler.Succeeded ? 0 : 1);
                delivery.Parameters.AddWithValue("$error", handler.Succeeded ? DBNull.Value : handler.Error ?? "failed");
                delivery.Parameters.AddWithValue("$now", now);
                delivery.ExecuteNonQuery();
                if (!handler.Succeeded)
                {
                    var stats = connection.Statement("""
                        INSERT INTO handler_failures (handler, failures, last_error, last_failed_at) VALUES ($handler, 1, $error, $now)
                        ON CONFLICT (handler) DO UPDATE SET failures = failures + 1, last_error = $error, last_failed_at = $now
                        """);
                    stats.Parameters.AddWithValue("$handler", handler.Handler);
                    stats.Parameters.AddWithValue("$error", handler.Error ?? "failed");
                    stats.Parameters.AddWithValue("$now", now);
                    stats.ExecuteNonQuery();
                }
            }

            return true;
        }, cancellationToken).AsTask();

    // Completions arrive one by one from many deliveries; they coalesce into one write of the writer's next batch.
    public Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken)
    {
        var completion = new Completion(entryId, attempts, vote, reason);
        _completions.Enqueue(completion);
        if (Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            _ = FlushCompletionsAsync();
        }

        return completion.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushCompletionsAsync()
    {
        List<Completion>? taken = null;
        try
        {
            await database.WriteAsync(
                connection =>
                {
                    // From here on a new completion queues the next flush; whatever is queued now goes in this one. Taken
                    // once: the writer may run this again (its batch rolled back), and then it writes the same ones.
                    if (taken is null)
                    {
                        Volatile.Write(ref _flushQueued, 0);
                        taken = [];
                        while (_completions.TryDequeue(out var completion))
                        {
                            taken.Add(completion);
                        }
                    }

                    CompleteAll(connection, taken, database.Time.GetUtcNow().ToUnixTimeMilliseconds());
                    return taken.Count;
                },
                CancellationToken.None).ConfigureAwait(false);
            foreach (var completion in taken!)
            {
                completion.Done.TrySetResult();
            }
        }
#pragma warning disable CA1031 // Handed to each waiting caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (taken is null)
            {
                // The write never ran (the writer is stopping): fail what waits, and let the next completion try again.
                Volatile.Write(ref _flushQueued, 0);
                taken = [];
                while (_completions.TryDequeue(out var completion))
                {
                    taken.Add(completion);
                }
            }

            foreach (var completion in taken)
            {
                completion.Done.TrySetException(ex);
            }
        }
    }

    // One UPDATE per distinct outcome (usually one: attempt 1, OK), its ids as a JSON array, instead of one per entry.
    // OR FAIL: a statement that may abort half-way has SQLite copy each page it touches first, to undo it; the writer
    // undoes a failed write itself (it rolls the batch back), so nothing needs that copy.
    private static void CompleteAll(SqliteConnection connection, List<Completion> completions, long now)
    {
        const string Sql = "UPDATE OR FAIL inbox SET state = 1, attempts = $attempts, vote = $vote, vote_reason = $reason, finished_at = $now, last_error = NULL, owner = NULL, lease_until = 0 WHERE id IN (SELECT value FROM json_each($ids))";
        foreach (var outcome in completions.GroupBy(static c => (c.Attempts, c.Vote, c.Reason)))
        {
            var command = connection.Statement(Sql);
            command.Parameters.AddWithValue("$attempts", outcome.Key.Attempts);
            command.Parameters.AddWithValue("$vote", (int)outcome.Key.Vote);
            command.Parameters.AddWithValue("$reason", SqliteDatabase.Nullable(outcome.Key.Reason));
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$ids", SqliteEntryRows.JsonIds(outcome.Select(static c => c.EntryId)));
            command.ExecuteNonQuery();
        }
    }

    private sealed record Completion(long EntryId, int Attempts, SubscriptionStatus Vote, string? Reason)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task DeadLetterAsync(long entryId, int attempts, string lastError, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var command = connection.Statement("UPDATE inbox SET state = 2, attempts = max(attempts, $attempts), last_error = $error, finished_at = $now, owner = NULL, lease_until = 0 WHERE id = $id");
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$error", lastError);
            command.Parameters.AddWithValue("$now", database.Time.GetUtcNow().ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", entryId);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<EntryLogStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        long pending = 0, inFlight = 0, dead = 0, done = 0;
        DateTimeOffset? oldest = null;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT
                    (SELECT count(*) FROM inbox WHERE state = 0 AND lease_until <= $now),
                    (SELECT count(*) FROM inbox WHERE state = 0 AND lease_until > $now),
                    (SELECT count(*) FROM inbox WHERE state = 2),
                    (SELECT count(*) FROM inbox WHERE state = 1),
                    (SELECT received_at FROM inbox WHERE state = 0 ORDER BY id LIMIT 1)
                """;
            command.Parameters.AddWithValue("$now", now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                (pending, inFlight, dead, done) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                oldest = SqliteDatabase.TimeOrNull(reader, 4);
            }
        }

        var handlers = new List<HandlerFailureStats>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT handler, failures, last_error, last_failed_at FROM handler_failures ORDER BY handler";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                handlers.Add(new HandlerFailureStats(reader.GetString(0), reader.GetInt64(1), SqliteDatabase.StringOrNull(reader, 2), SqliteDatabase.TimeOrNull(reader, 3)));
            }
        }

        return new EntryLogStats(pending, inFlight, dead, done, oldest, handlers);
    }

    public Task ProbeAsync(int payloadBytes, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            // zeroblob(n) stored is n bytes of pages written, like a push of that size; a plain probe clears it.
            var probe = connection.Statement("UPDATE store_probe SET at = $now, payload = CASE WHEN $bytes > 0 THEN zeroblob($bytes) END WHERE id = 1");
            probe.Parameters.AddWithValue("$now", database.Time.GetUtcNow().ToUnixTimeMilliseconds());
            probe.Parameters.AddWithValue("$bytes", payloadBytes);
            return probe.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TEMP TABLE IF NOT EXISTS expired (id INTEGER PRIMARY KEY, body_id INTEGER);
                DELETE FROM expired;
                -- Ids follow arrival: walk from the oldest and stop at the first entry received after the cutoff.
                INSERT INTO expired (id, body_id) SELECT id, body_id FROM inbox
                WHERE id < coalesce((SELECT id FROM inbox WHERE received_at >= $before ORDER BY id LIMIT 1), 9223372036854775807)
                  AND state = 1 AND received_at < $before;
                DELETE FROM deliveries WHERE entry_id IN (SELECT id FROM expired);
                DELETE FROM inbox WHERE id IN (SELECT id FROM expired);
                DELETE FROM push_bodies WHERE id IN (SELECT body_id FROM expired WHERE body_id IS NOT NULL)
                    AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.body_id = push_bodies.id);
                """;
            command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return Convert.ToInt32(SqliteDatabase.Scalar(connection, "SELECT count(*) FROM expired"), CultureInfo.InvariantCulture);
        }, cancellationToken).AsTask();
}
