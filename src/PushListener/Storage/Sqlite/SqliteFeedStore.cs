using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PushListener.Feeds;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// Feeds in the SQLite database. Every write goes through the database's group-commit writer: a fetch both selects and
/// leases in that one transaction, so two fetches never hand out the same entry. Reads that change nothing use read
/// connections.
/// </summary>
internal sealed class SqliteFeedStore(SqliteDatabase database, TimeProvider time) : IFeedStore
{
    public async Task<IReadOnlyList<FeedInfo>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT handle, session, name, scope, key_hash, created_at, max_age_ms, max_entries FROM feeds";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var feeds = new List<FeedInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var scope = JsonSerializer.Deserialize(reader.GetString(3), FeedJson.Context.FeedScope)
                ?? throw new InvalidOperationException($"Feed {reader.GetString(0)} has no scope.");
            feeds.Add(new FeedInfo(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                scope,
                reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                TimeSpan.FromMilliseconds(reader.GetInt64(6)),
                reader.GetInt32(7)));
        }

        return feeds;
    }

    /// <summary>Stores a new feed; false when <paramref name="maxFeeds"/> feeds exist already.</summary>
    public ValueTask<bool> CreateAsync(FeedInfo feed, int maxFeeds, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            // Counted inside the writer, so concurrent registrations cannot both slip under the limit.
            if (Convert.ToInt64(Scalar(connection, "SELECT COUNT(*) FROM feeds"), CultureInfo.InvariantCulture) >= maxFeeds)
            {
                return false;
            }

            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO feeds (handle, session, name, scope, key_hash, created_at, max_age_ms, max_entries)
                VALUES ($handle, $session, $name, $scope, $key, $created, $age, $max)
                """;
            command.Parameters.AddWithValue("$handle", feed.Handle);
            command.Parameters.AddWithValue("$session", feed.Session);
            command.Parameters.AddWithValue("$name", (object?)feed.Name ?? DBNull.Value);
            command.Parameters.AddWithValue("$scope", JsonSerializer.Serialize(feed.Scope, FeedJson.Context.FeedScope));
            command.Parameters.AddWithValue("$key", feed.KeyHash);
            command.Parameters.AddWithValue("$created", feed.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$age", (long)feed.MaxAge.TotalMilliseconds);
            command.Parameters.AddWithValue("$max", feed.MaxEntries);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <summary>Deletes a feed and everything it holds; false when there was no such feed.</summary>
    public ValueTask<bool> ReleaseAsync(string handle, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var feed = connection.CreateCommand();
            feed.CommandText = "DELETE FROM feeds WHERE handle = $h";
            feed.Parameters.AddWithValue("$h", handle);
            if (feed.ExecuteNonQuery() == 0)
            {
                return false;
            }

            using var entries = connection.CreateCommand();
            entries.CommandText = "DELETE FROM feed_entries WHERE handle = $h";
            entries.Parameters.AddWithValue("$h", handle);
            entries.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <summary>
    /// Appends entries, at most once per (feed, delivery id): a retried handler call finds its entry, or its tombstone,
    /// and adds nothing. A feed released meanwhile is skipped. A feed past its count limit drops its oldest entries.
    /// </summary>
    public ValueTask<AppendOutcome> AppendAsync(IReadOnlyList<FeedAppend> appends, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var now = time.GetUtcNow();
            var sessions = new List<string>(appends.Count);
            var overflows = new List<FeedOverflow>();
            using var exists = Command(connection, "SELECT 1 FROM feed_entries WHERE handle = $h AND delivery_id = $d", "$h", "$d");
            using var allocate = Command(
                connection,
                "UPDATE feeds SET next_seq = next_seq + 1, live = live + 1, appended = appended + 1, last_append_at = $now WHERE handle = $h RETURNING next_seq - 1, live, max_entries",
                "$h",
                "$now");
            using var insert = Command(
                connection,
                "INSERT INTO feed_entries (handle, seq, kind, delivery_id, body, created_at) VALUES ($h, $seq, $kind, $d, $body, $now)",
                "$h",
                "$seq",
                "$kind",
                "$d",
                "$body",
                "$now");
            foreach (var append in appends)
            {
                var handle = append.Feed.Handle;
                exists.Parameters["$h"].Value = handle;
                exists.Parameters["$d"].Value = append.DeliveryId;
                if (exists.ExecuteScalar() is not null)
                {
                    continue;
                }

                allocate.Parameters["$h"].Value = handle;
                allocate.Parameters["$now"].Value = now.ToUnixTimeMilliseconds();
                long seq, live, maxEntries;
                using (var reader = allocate.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        continue;
                    }

                    (seq, live, maxEntries) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                }

                insert.Parameters["$h"].Value = handle;
                insert.Parameters["$seq"].Value = seq;
                insert.Parameters["$kind"].Value = (int)append.Kind;
                insert.Parameters["$d"].Value = append.DeliveryId;
                insert.Parameters["$body"].Value = append.Body;
                insert.Parameters["$now"].Value = now.ToUnixTimeMilliseconds();
                insert.ExecuteNonQuery();
                if (live > maxEntries)
                {
                    overflows.Add(DropOldest(connection, handle, live - maxEntries, "maxEntries", now));
                }

                if (!sessions.Contains(append.Feed.Session, StringComparer.Ordinal))
                {
                    sessions.Add(append.Feed.Session);
                }
            }

            return new AppendOutcome(sessions, overflows);
        }, cancellationToken);

    /// <summary>
    /// Acknowledges (optionally), then hands out the oldest visible entries that fit the budget, leasing them for
    /// <paramref name="visibility"/>. Null when the feed does not exist.
    /// </summary>
    public ValueTask<FetchResult?> FetchAsync(string handle, string session, long? ack, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var now = time.GetUtcNow();
            if (!FeedExists(connection, handle))
            {
                return null;
            }

            var acknowledged = ack is { } cursor ? Acknowledge(connection, handle, cursor) : 0;
            var entries = new List<FeedEntryOut>();
            var pending = false;
            long total = 0;
            using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT seq, kind, body, created_at, deliveries FROM feed_entries WHERE handle = $h AND state = 0 AND leased_until <= $now ORDER BY seq";
                select.Parameters.AddWithValue("$h", handle);
                select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    if (entries.Count >= maxCount)
                    {
                        pending = true;
                        break;
                    }

                    var entry = Read(reader);
                    // The first entry always goes, however large: a notification bigger than the budget must not jam the feed.
                    if (entries.Count > 0 && total + entry.Json.Length > maxBytes)
                    {
                        pending = true;
                        break;
                    }

                    entries.Add(entry);
                    total += entry.Json.Length;
                }
            }

            Lease(connection, handle, entries, now + visibility, now);
            DateTimeOffset? nextVisible = null;
            if (entries.Count == 0)
            {
                using var next = connection.CreateCommand();
                next.CommandText = "SELECT MIN(leased_until) FROM feed_entries WHERE handle = $h AND state = 0 AND leased_until > $now";
                next.Parameters.AddWithValue("$h", handle);
                next.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                if (next.ExecuteScalar() is long at)
                {
                    nextVisible = DateTimeOffset.FromUnixTimeMilliseconds(at);
                }
            }

            return new FetchResult(entries, pending, PendingInSession(connection, handle, session, now), acknowledged, nextVisible);
        }, cancellationToken);

    /// <summary>Acknowledges every handed-out entry up to <paramref name="cursor"/>; null when the feed does not exist.</summary>
    public ValueTask<int?> AcknowledgeAsync(string handle, long cursor, CancellationToken cancellationToken) =>
        database.WriteAsync<int?>(connection => FeedExists(connection, handle) ? Acknowledge(connection, handle, cursor) : null, cancellationToken);

    /// <summary>
    /// The next entries for an event stream positioned after <paramref name="after"/>, leased like a fetch's: gap records
    /// that took the place of entries at or before the position and were never handed out come first. Null when the feed
    /// does not exist.
    /// </summary>
    public ValueTask<IReadOnlyList<FeedEntryOut>?> StreamAsync(string handle, long after, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<FeedEntryOut>?>(connection =>
        {
            var now = time.GetUtcNow();
            if (!FeedExists(connection, handle))
            {
                return null;
            }

            var entries = new List<FeedEntryOut>();
            long total = 0;
            var full = false;
            foreach (var sql in (string[])[
                "SELECT seq, kind, body, created_at, deliveries FROM feed_entries WHERE handle = $h AND state = 0 AND kind = 3 AND deliveries = 0 AND seq <= $after ORDER BY seq",
                "SELECT seq, kind, body, created_at, deliveries FROM feed_entries WHERE handle = $h AND state = 0 AND seq > $after ORDER BY seq"])
            {
                using var select = connection.CreateCommand();
                select.CommandText = sql;
                select.Parameters.AddWithValue("$h", handle);
                select.Parameters.AddWithValue("$after", after);
                using var reader = select.ExecuteReader();
                while (!full && entries.Count < maxCount && reader.Read())
                {
                    var entry = Read(reader);
                    if (entries.Count > 0 && total + entry.Json.Length > maxBytes)
                    {
                        full = true;
                        break;
                    }

                    entries.Add(entry);
                    total += entry.Json.Length;
                }
            }

            Lease(connection, handle, entries, now + visibility, now);
            return entries;
        }, cancellationToken);

    /// <summary>Drops entries past the feed's age limit (with a gap record) and tombstones past it.</summary>
    public ValueTask<FeedOverflow?> ApplyAgeLimitAsync(FeedInfo feed, CancellationToken cancellationToken) =>
        database.WriteAsync<FeedOverflow?>(connection =>
        {
            var now = time.GetUtcNow();
            var cutoff = (now - feed.MaxAge).ToUnixTimeMilliseconds();
            long? upTo = null;
            using (var select = connection.CreateCommand())
            {
                // Oldest first, stopping at the first young entry: seq follows arrival, so only the expired ones are read.
                select.CommandText = "SELECT seq, created_at FROM feed_entries WHERE handle = $h AND state = 0 AND kind <> 3 ORDER BY seq";
                select.Parameters.AddWithValue("$h", feed.Handle);
                using var reader = select.ExecuteReader();
                while (reader.Read() && reader.GetInt64(1) < cutoff)
                {
                    upTo = reader.GetInt64(0);
                }
            }

            FeedOverflow? overflow = upTo is { } seq ? DropThrough(connection, feed.Handle, seq, "maxAge", now) : null;
            using var purge = connection.CreateCommand();
            purge.CommandText = "DELETE FROM feed_entries WHERE handle = $h AND state <> 0 AND created_at < $cutoff";
            purge.Parameters.AddWithValue("$h", feed.Handle);
            purge.Parameters.AddWithValue("$cutoff", cutoff);
            purge.ExecuteNonQuery();
            return overflow;
        }, cancellationToken);

    public async Task<FeedCounters?> GetCountersAsync(string handle, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT f.next_seq - 1, f.appended, f.delivered, f.acked, f.dropped, f.live, f.last_append_at, f.last_fetch_at,
                   COALESCE(SUM(e.leased_until <= $now), 0), COALESCE(SUM(e.leased_until > $now), 0), COALESCE(SUM(e.kind = 3), 0), MIN(e.created_at)
            FROM feeds f LEFT JOIN feed_entries e ON e.handle = f.handle AND e.state = 0
            WHERE f.handle = $h
            GROUP BY f.handle
            """;
        command.Parameters.AddWithValue("$h", handle);
        command.Parameters.AddWithValue("$now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new FeedCounters(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            reader.GetInt64(4),
            reader.GetInt64(5),
            reader.GetInt64(8),
            reader.GetInt64(9),
            reader.GetInt64(10),
            Time(reader, 11),
            Time(reader, 6),
            Time(reader, 7));
    }

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static FeedEntryOut Read(SqliteDataReader reader)
    {
        var seq = reader.GetInt64(0);
        var kind = (FeedEntryKind)reader.GetInt32(1);
        // Encoded with the count this hand-out makes, so the size packed is the size sent.
        var json = FeedJson.Entry(seq, kind, reader.GetInt32(4) + 1, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), (byte[])reader.GetValue(2));
        return new FeedEntryOut(seq, kind, json);
    }

    private static void Lease(SqliteConnection connection, string handle, List<FeedEntryOut> entries, DateTimeOffset until, DateTimeOffset now)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using var lease = Command(connection, "UPDATE feed_entries SET leased_until = $until, deliveries = deliveries + 1 WHERE handle = $h AND seq = $seq", "$until", "$h", "$seq");
        lease.Parameters["$until"].Value = until.ToUnixTimeMilliseconds();
        lease.Parameters["$h"].Value = handle;
        foreach (var entry in entries)
        {
            lease.Parameters["$seq"].Value = entry.Seq;
            lease.ExecuteNonQuery();
        }

        using var counters = connection.CreateCommand();
        counters.CommandText = "UPDATE feeds SET delivered = delivered + $n, last_fetch_at = $now WHERE handle = $h";
        counters.Parameters.AddWithValue("$n", entries.Count);
        counters.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        counters.Parameters.AddWithValue("$h", handle);
        counters.ExecuteNonQuery();
    }

    // Only entries that were handed out count: a gap record that replaced entries after the consumer's fetch is news to it.
    private static int Acknowledge(SqliteConnection connection, string handle, long cursor)
    {
        long all, entries;
        using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT COUNT(*), COALESCE(SUM(kind <> 3), 0) FROM feed_entries WHERE handle = $h AND state = 0 AND seq <= $c AND deliveries > 0";
            count.Parameters.AddWithValue("$h", handle);
            count.Parameters.AddWithValue("$c", cursor);
            using var reader = count.ExecuteReader();
            reader.Read();
            (all, entries) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        if (all == 0)
        {
            return 0;
        }

        using var update = connection.CreateCommand();
        update.CommandText = """
            UPDATE feed_entries SET state = 1, body = zeroblob(0) WHERE handle = $h AND state = 0 AND seq <= $c AND deliveries > 0;
            UPDATE feeds SET live = live - $n, acked = acked + $n WHERE handle = $h;
            """;
        update.Parameters.AddWithValue("$h", handle);
        update.Parameters.AddWithValue("$c", cursor);
        update.Parameters.AddWithValue("$n", entries);
        update.ExecuteNonQuery();
        return (int)all;
    }

    private static FeedOverflow DropOldest(SqliteConnection connection, string handle, long count, string reason, DateTimeOffset now)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT seq FROM feed_entries WHERE handle = $h AND state = 0 AND kind <> 3 ORDER BY seq LIMIT 1 OFFSET $skip";
        select.Parameters.AddWithValue("$h", handle);
        select.Parameters.AddWithValue("$skip", count - 1);
        var upTo = (long)select.ExecuteScalar()!;
        return DropThrough(connection, handle, upTo, reason, now);
    }

    /// <summary>
    /// Drops every waiting entry up to <paramref name="upTo"/>: the last one becomes the gap record (so it sits where the
    /// lost entries were, ahead of everything newer), the rest become tombstones; earlier gap records merge into it.
    /// </summary>
    private static FeedOverflow DropThrough(SqliteConnection connection, string handle, long upTo, string reason, DateTimeOffset now)
    {
        long entries, earlier, gaps;
        using (var count = connection.CreateCommand())
        {
            count.CommandText = """
                SELECT COALESCE(SUM(kind <> 3), 0), COALESCE(SUM(CASE WHEN kind = 3 THEN dropped ELSE 0 END), 0), COALESCE(SUM(kind = 3), 0)
                FROM feed_entries WHERE handle = $h AND state = 0 AND seq <= $upTo
                """;
            count.Parameters.AddWithValue("$h", handle);
            count.Parameters.AddWithValue("$upTo", upTo);
            using var reader = count.ExecuteReader();
            reader.Read();
            (entries, earlier, gaps) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        using var update = connection.CreateCommand();
        update.CommandText = """
            UPDATE feed_entries SET state = 2, body = zeroblob(0) WHERE handle = $h AND state = 0 AND seq < $upTo;
            UPDATE feed_entries SET kind = 3, state = 0, body = $gap, created_at = $now, leased_until = 0, deliveries = 0, dropped = $total WHERE handle = $h AND seq = $upTo;
            UPDATE feeds SET live = live - $n, dropped = dropped + $n WHERE handle = $h;
            """;
        update.Parameters.AddWithValue("$h", handle);
        update.Parameters.AddWithValue("$upTo", upTo);
        update.Parameters.AddWithValue("$gap", FeedJson.Gap(entries + earlier, reason, now));
        update.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        update.Parameters.AddWithValue("$total", entries + earlier);
        update.Parameters.AddWithValue("$n", entries);
        update.ExecuteNonQuery();
        return new FeedOverflow(handle, entries, gaps == 0, reason);
    }

    private static List<string> PendingInSession(SqliteConnection connection, string handle, string session, DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT f.handle FROM feeds f
            WHERE f.session = $s AND f.handle <> $h
              AND EXISTS (SELECT 1 FROM feed_entries e WHERE e.handle = f.handle AND e.state = 0 AND e.leased_until <= $now)
            ORDER BY f.created_at, f.handle
            """;
        command.Parameters.AddWithValue("$s", session);
        command.Parameters.AddWithValue("$h", handle);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var handles = new List<string>();
        while (reader.Read())
        {
            handles.Add(reader.GetString(0));
        }

        return handles;
    }

    private static bool FeedExists(SqliteConnection connection, string handle)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM feeds WHERE handle = $h";
        command.Parameters.AddWithValue("$h", handle);
        return command.ExecuteScalar() is not null;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        return command;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
