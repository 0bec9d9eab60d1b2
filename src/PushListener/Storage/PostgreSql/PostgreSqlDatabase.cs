using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// The shared database: a pooled data source for the stores, and unpooled dedicated connections for the notifier and
/// the leadership lock, which hold one session each for as long as the instance runs.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource pooled;
    private readonly NpgsqlDataSource relaxed;
    private readonly NpgsqlDataSource dedicated;

    public PostgreSqlDatabase(IOptions<PostgreSqlStorageOptions> options)
    {
        var settings = options.Value;
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString ?? throw new InvalidOperationException($"{PostgreSqlStorageOptions.ConnectionStringSetting} is required."));
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "PushListener";
        }

        // The listener's defaults apply only where the connection string says nothing: a value the operator wrote wins,
        // even one equal to Npgsql's default (Max Auto Prepare=0 behind a pooler that cannot keep prepared statements).
        var written = new DbConnectionStringBuilder { ConnectionString = settings.ConnectionString };
        var connectTimeout = (int)Math.Ceiling(settings.ConnectTimeout.TotalSeconds);
        if (!IsWritten(written, "Timeout"))
        {
            builder.Timeout = connectTimeout;
        }

        // A server that stopped answering (hung, paused, a lock held for ever) must not hold a statement, and what waits on
        // it, longer than this (Npgsql's default is 30 seconds).
        if (!IsWritten(written, "Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = (int)Math.Ceiling(settings.CommandTimeout.TotalSeconds);
        }

        // The stores run a few statements over and over: prepared once per connection, they skip parsing and planning.
        if (!IsWritten(written, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        // A group's append sends its bodies in one statement (14 pushes of 1.5 KB are 21 KB): with Npgsql's 8 KB write
        // buffer that went out in three sends, each a pass through the loopback or network stack and a wake-up of the
        // server's backend. 64 KB per pooled connection sends a typical group at once.
        if (!IsWritten(written, "Write Buffer Size", "WriteBufferSize"))
        {
            builder.WriteBufferSize = 64 * 1024;
        }

        // A push waits for its append no longer than a statement may run (the connection string's value when it names one).
        CommandTimeout = builder.CommandTimeout > 0 ? TimeSpan.FromSeconds(builder.CommandTimeout) : settings.CommandTimeout;
        Target = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";

        // The stores leave no session state behind (no SET, LISTEN, temporary tables or session locks on pooled
        // connections; transactions end before a connection goes back): resetting each connection on its return would
        // cost seven statements per use (DISCARD ALL cannot be used, it would drop the prepared statements).
        var dedicatedBuilder = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        builder.NoResetOnClose = true;
        pooled = NpgsqlDataSource.Create(builder.ConnectionString);

        // Bookkeeping whose loss in a database crash only means work done again (claims, completions, attempts):
        // committed without waiting for the WAL flush. Appends, which Exchange hears OK for, always wait for it.
        var relaxedBuilder = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        relaxedBuilder.Options = string.IsNullOrEmpty(relaxedBuilder.Options) ? "-c synchronous_commit=off" : relaxedBuilder.Options + " -c synchronous_commit=off";
        relaxed = NpgsqlDataSource.Create(relaxedBuilder.ConnectionString);

        // Keepalives make a dedicated connection that waits for notifications notice a dead server or network.
        dedicatedBuilder.Pooling = false;
        dedicatedBuilder.KeepAlive = Math.Max(1, (int)Math.Ceiling(settings.ConnectionCheckInterval.TotalSeconds));
        dedicated = NpgsqlDataSource.Create(dedicatedBuilder.ConnectionString);
    }

    // The builder's keys compare without case; Npgsql also takes a keyword without its spaces.
    private static bool IsWritten(DbConnectionStringBuilder written, params string[] keywords) => keywords.Any(written.ContainsKey);

    /// <summary>Host, port and database, for messages (never the password).</summary>
    public string Target { get; }

    /// <summary>How long a statement may run, and a push may wait for its append (<see cref="PostgreSqlStorageOptions.CommandTimeout"/>).</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary>The pool the stores use.</summary>
    public NpgsqlDataSource DataSource => pooled;

    /// <summary>Opens a pooled connection.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => pooled.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Opens a pooled connection whose commits do not wait for the WAL flush (<c>synchronous_commit=off</c>): for writes
    /// that are safe to lose in a database crash because the work is then done again (at-least-once), never for appends.
    /// </summary>
    public ValueTask<NpgsqlConnection> OpenRelaxedAsync(CancellationToken cancellationToken) => relaxed.OpenConnectionAsync(cancellationToken);

    /// <summary>Opens a connection of its own (not pooled, with keepalives) for a long-lived session.</summary>
    public ValueTask<NpgsqlConnection> OpenDedicatedAsync(CancellationToken cancellationToken) => dedicated.OpenConnectionAsync(cancellationToken);

    /// <summary>Whether <paramref name="exception"/> says the database could not be reached or used, rather than a bug.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        NpgsqlException => true,
        SocketException => true,
        TimeoutException => true,
        IOException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    /// <summary>The start-up failure when the database cannot be reached, naming the setting.</summary>
    public StorageUnavailableException Unreachable(Exception cause) =>
        new($"Cannot use the PostgreSQL database {Target} named by {PostgreSqlStorageOptions.ConnectionStringSetting} ({StorageOptions.SectionName}:Provider is PostgreSql): {Describe(cause)}{Hint(cause)}", cause);

    // One line: the server's SQLSTATE and text, without the position and detail lines Npgsql adds to Message.
    private static string Describe(Exception cause)
    {
        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                return $"{postgres.SqlState}: {postgres.MessageText}";
            }
        }

        return cause.Message;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is Npgsql's Command Timeout expiring on a statement: an NpgsqlException wrapping
    /// a TimeoutException. A connect that timed out and an exhausted pool look the same, so ask only about failures on a
    /// connection that was open.
    /// </summary>
    public static bool IsStatementTimeout(Exception exception) => exception switch
    {
        PostgresException => false,
        NpgsqlException { InnerException: TimeoutException } => true,
        _ => exception.InnerException is { } inner && IsStatementTimeout(inner),
    };

    /// <summary>
    /// The start-up failure of a statement on a database that was reached: one that outlasted the statement timeout names
    /// <see cref="PostgreSqlStorageOptions.CommandTimeout"/>, anything else the connection string (<see cref="Unreachable"/>).
    /// </summary>
    public StorageUnavailableException Unusable(Exception cause) => IsStatementTimeout(cause)
        ? new($"The PostgreSQL database {Target} did not finish a statement within {PostgreSqlStorageOptions.SectionName}:CommandTimeout ({CommandTimeout}; the connection string's Command Timeout when it names one): raise it, or find what holds the database up (a lock, a hung or overloaded server): {cause.Message}", cause)
        : Unreachable(cause);

    // The causes an operator meets when creating the schema, and what to change.
    private static string Hint(Exception cause) => (cause as PostgresException ?? cause.InnerException as PostgresException)?.SqlState switch
    {
        PostgresErrorCodes.InsufficientPrivilege => " (the user needs CREATE on the schema the tables go in: GRANT CREATE ON SCHEMA ... TO ..., or a Search Path naming one it owns)",
        PostgresErrorCodes.InvalidSchemaName => " (the connection string's Search Path names no schema that exists: create it, or correct Search Path)",
        _ => string.Empty,
    };

    public async ValueTask DisposeAsync()
    {
        await pooled.DisposeAsync().ConfigureAwait(false);
        await relaxed.DisposeAsync().ConfigureAwait(false);
        await dedicated.DisposeAsync().ConfigureAwait(false);
    }
}
