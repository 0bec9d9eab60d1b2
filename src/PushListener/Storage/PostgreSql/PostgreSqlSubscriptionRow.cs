using Npgsql;
using PushListener.Subscriptions;

namespace PushListener.Storage.PostgreSql;

/// <summary>A <c>subscriptions</c> row held in memory while an append decides what its pushes do to it.</summary>
internal sealed class PostgreSqlSubscriptionRow
{
    public const string Columns = """
        subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
        expected_interval_ms, interval_source, last_push_heartbeat, notifications, gaps, event_counts, last_error, last_error_at
        """;

    public required string SubscriptionId { get; init; }

    public SubscriptionState State { get; set; }

    public string? Registration { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public string? LastWatermark { get; set; }

    public string? LastPreviousWatermark { get; set; }

    public string? RequestServerVersion { get; set; }

    public long? ExpectedIntervalMs { get; set; }

    public string? IntervalSource { get; set; }

    public bool LastPushHeartbeat { get; set; }

    public long Notifications { get; set; }

    public long Gaps { get; set; }

    public long[] EventCounts { get; set; } = new long[8];

    public string? LastError { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }

    public static PostgreSqlSubscriptionRow Read(NpgsqlDataReader reader) => new()
    {
        SubscriptionId = reader.GetString(0),
        State = (SubscriptionState)reader.GetInt16(1),
        Registration = PostgreSqlSql.NullableString(reader, 2),
        FirstSeen = reader.GetFieldValue<DateTimeOffset>(3),
        LastSeen = reader.GetFieldValue<DateTimeOffset>(4),
        LastWatermark = PostgreSqlSql.NullableString(reader, 5),
        LastPreviousWatermark = PostgreSqlSql.NullableString(reader, 6),
        RequestServerVersion = PostgreSqlSql.NullableString(reader, 7),
        ExpectedIntervalMs = reader.IsDBNull(8) ? null : reader.GetInt64(8),
        IntervalSource = PostgreSqlSql.NullableString(reader, 9),
        LastPushHeartbeat = reader.GetBoolean(10),
        Notifications = reader.GetInt64(11),
        Gaps = reader.GetInt64(12),
        EventCounts = reader.GetFieldValue<long[]>(13),
        LastError = PostgreSqlSql.NullableString(reader, 14),
        LastErrorAt = PostgreSqlSql.NullableTime(reader, 15),
    };

    /// <summary>What <see cref="SubscriptionRules"/> needs to know.</summary>
    public SubscriptionSnapshot Snapshot() => new(
        State,
        LastWatermark,
        LastSeen,
        LastPushHeartbeat,
        Registration,
        ExpectedIntervalMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        IntervalSource);

    /// <summary>Records one stored message and the rules' decision about it.</summary>
    public void Apply(PushDecision decision, RegistryUpdate update, string? requestServerVersion, DateTimeOffset at)
    {
        State = decision.State;
        Registration = decision.Registration ?? Registration;
        LastSeen = at;
        LastWatermark = update.LastWatermark ?? LastWatermark;
        LastPreviousWatermark = update.PreviousWatermark ?? LastPreviousWatermark;
        RequestServerVersion = requestServerVersion ?? RequestServerVersion;
        if (decision.ExpectedInterval is { } interval)
        {
            ExpectedIntervalMs = (long)interval.TotalMilliseconds;
            IntervalSource = decision.IntervalSource;
        }

        LastPushHeartbeat = update.IsHeartbeat;
        Notifications++;
        Gaps += decision.Gap ? 1 : 0;
        for (var i = 0; i < EventCounts.Length && i < update.EventCounts.Length; i++)
        {
            EventCounts[i] += update.EventCounts[i];
        }

        if (update.IsError)
        {
            LastError = $"{update.ResponseCode}: {update.MessageText}";
            LastErrorAt = at;
        }
    }

    public SubscriptionRecord ToRecord()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < EventCounts.Length; i++)
        {
            counts[((EventKind)i).ToString()] = EventCounts[i];
        }

        return new SubscriptionRecord(
            SubscriptionId,
            State,
            Registration,
            FirstSeen,
            LastSeen,
            LastWatermark,
            LastPreviousWatermark,
            RequestServerVersion,
            ExpectedIntervalMs / 1000,
            IntervalSource,
            Notifications,
            Gaps,
            counts,
            LastError,
            LastErrorAt);
    }
}
