using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Carries signals between instances with LISTEN/NOTIFY. One dedicated session per instance listens on every channel of
/// <see cref="PostgreSqlChannels"/> and calls the subscribers of each notification; when that session is lost it
/// reconnects, and tells every subscriber that signals may have been missed (a <see langword="null"/> payload), so
/// they look at the store again instead of waiting for a signal that already went by. Notifications sent inside a
/// transaction are delivered at its commit, never for a rolled-back one.
/// </summary>
internal sealed partial class PostgreSqlNotifier(PostgreSqlDatabase database, IOptions<PostgreSqlStorageOptions> options, TimeProvider time, ILogger<PostgreSqlNotifier> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ImmutableArray<Action<string?>>> _subscribers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _connected;

    /// <summary>Whether the listening session is up now.</summary>
    public bool IsListening => _connected;

    /// <summary>Completes once the first listening session is up.</summary>
    public Task Listening => _listening.Task;

    /// <summary>
    /// Calls <paramref name="handler"/> with the payload of each notification on <paramref name="channel"/>, and with
    /// <see langword="null"/> after a reconnection. It runs on the listening session's reader: it must return quickly.
    /// </summary>
    public IDisposable Subscribe(string channel, Action<string?> handler)
    {
        if (!PostgreSqlChannels.All.Contains(channel))
        {
            throw new ArgumentException($"'{channel}' is not one of the channels instances listen on.", nameof(channel));
        }

        _subscribers.AddOrUpdate(channel, _ => [handler], (_, list) => list.Add(handler));
        return new Subscription(this, channel, handler);
    }

    /// <summary>Sends a notification now, outside any transaction.</summary>
    public async Task PublishAsync(string channel, string? payload, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Notify(connection, channel, payload);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command that notifies <paramref name="channel"/>; inside a transaction it is delivered at commit.</summary>
    public static NpgsqlCommand Notify(NpgsqlConnection connection, string channel, string? payload, NpgsqlTransaction? transaction = null) =>
        new("SELECT pg_notify($1, $2)", connection, transaction) { Parameters = { new() { Value = channel }, new() { Value = payload ?? string.Empty } } };

    /// <summary>A batch command that notifies <paramref name="channel"/> at the batch's commit.</summary>
    public static NpgsqlBatchCommand Notify(string channel, string? payload) =>
        new("SELECT pg_notify($1, $2)") { Parameters = { new() { Value = channel }, new() { Value = payload ?? string.Empty } } };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ConnectionCheckInterval;
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = await database.OpenDedicatedAsync(stoppingToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    foreach (var channel in PostgreSqlChannels.All)
                    {
                        await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                        await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    }

                    _connected = true;
                    _listening.TrySetResult();
                    if (reconnecting)
                    {
                        Reconnected(logger, database.Target);
                        WakeAll();
                        reconnecting = false;
                    }

                    // Keepalives (PostgreSqlDatabase) make this throw when the server or the network goes away.
                    while (true)
                    {
                        await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _connected = false;
                if (!reconnecting)
                {
                    Lost(logger, database.Target, interval, ex);
                }

                reconnecting = true;
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) =>
        Deliver(e.Channel, e.Payload);

    private void WakeAll()
    {
        foreach (var channel in PostgreSqlChannels.All)
        {
            Deliver(channel, null);
        }
    }

    private void Deliver(string channel, string? payload)
    {
        if (!_subscribers.TryGetValue(channel, out var handlers))
        {
            return;
        }

        foreach (var handler in handlers)
        {
            try
            {
                handler(payload);
            }
            catch (Exception ex)
            {
                SubscriberFailed(logger, channel, ex);
            }
        }
    }

    [LoggerMessage(910, LogLevel.Warning, "Lost the notification session to {Target}; reconnecting every {Interval}. Instances wake each other again once it is back; until then each finds work by itself")]
    private static partial void Lost(ILogger logger, string target, TimeSpan interval, Exception exception);

    [LoggerMessage(911, LogLevel.Information, "Notification session to {Target} restored")]
    private static partial void Reconnected(ILogger logger, string target);

    [LoggerMessage(912, LogLevel.Error, "A subscriber to {Channel} failed")]
    private static partial void SubscriberFailed(ILogger logger, string channel, Exception exception);

    private sealed class Subscription(PostgreSqlNotifier notifier, string channel, Action<string?> handler) : IDisposable
    {
        public void Dispose() => notifier._subscribers.AddOrUpdate(channel, _ => [], (_, list) => list.Remove(handler));
    }
}
