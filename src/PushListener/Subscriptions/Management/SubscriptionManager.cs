using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PushListener.Coordination;
using PushListener.Ews;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Subscriptions.Management;

/// <summary>
/// Creates, watches and renews the subscriptions of managed registrations. Every <see cref="ManagerOptions.CheckInterval"/>
/// (or at once when woken) it looks at each: subscribes new ones, resubscribes those that failed, showed a gap or went
/// silent, retries after back-off, and answers the replaced subscription Unsubscribe from then on. Each step is saved
/// with its lifecycle events. One instance at a time runs it (leadership).
/// </summary>
internal sealed partial class SubscriptionManager(
    ManagedRegistrations registrations,
    IManagedSubscriptionStore store,
    ISubscriptionRegistry registry,
    RegistrationCatalog catalog,
    EwsClient ews,
    IOptions<SubscriptionOptions> subscriptionOptions,
    IOptions<PushListenerOptions> listenerOptions,
    ILeaderElection leaders,
    IDispatchNotifier notifier,
    StartupGate startup,
    TimeProvider time,
    ILogger<SubscriptionManager> logger) : BackgroundService
{
    public const string Job = "subscription-manager";

    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly Hosting.RepeatedFailureLog _roundFailures = new(time, Hosting.RepeatedFailureLog.OneMinute);
    // Read at first use, not in the constructor: hosted services are built before options are validated at start-up.
    private ManagerOptions Options => subscriptionOptions.Value.Manager;
    private bool _startedUp;

    /// <summary>Asks for a round now (after an operator's request or a new registration).</summary>
    public void Wake() => _wake.Writer.TryWrite(0);

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RunRoundAsync(stoppingToken).ConfigureAwait(false);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var tick = Task.Delay(Options.CheckInterval, time, either.Token);
                var woken = _wake.Reader.ReadAsync(either.Token).AsTask();
                await Task.WhenAny(tick, woken).ConfigureAwait(false);
                await either.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at every managed registration (the background loop calls it; tests too). Never throws but for cancellation.</summary>
    public async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var lease = await leaders.TryAcquireAsync(Job, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            var startingUp = !_startedUp;
            var stored = await store.ListAsync(linked.Token).ConfigureAwait(false);
            foreach (var registration in registrations.All(stored))
            {
                var current = stored.FirstOrDefault(s => string.Equals(s.Registration, registration.Name, StringComparison.OrdinalIgnoreCase));
                try
                {
                    await KeepAliveAsync(registration, current, startingUp, linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RoundFailed(logger, registration.Name, ex);
                }
            }

            _startedUp = true;
            _roundFailures.ReportSuccess(logger, "The managed subscriptions' keep-alive round");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _roundFailures.Report(logger, "The managed subscriptions' keep-alive round", ex, static (l, e) => RoundFailed(l, "*", e));
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task KeepAliveAsync(ManagedRegistration registration, ManagedSubscription? current, bool startingUp, CancellationToken cancellationToken)
    {
        if (current is null)
        {
            current = new ManagedSubscription
            {
                Registration = registration.Name,
                State = ManagedSubscriptionState.Pending,
                CallbackToken = registrations.ConfiguredToken(registration.Name) ?? CallbackToken.Create(),
            };
            await store.SaveAsync(current, [], cancellationToken).ConfigureAwait(false);
        }

        // The token names the registration: pushes to its URL are attributed to it (also after a restart).
        var known = catalog[registration.Name];
        var tokenHash = CallbackToken.Hash(current.CallbackToken);
        if (known is null || known.TokenHash != tokenHash || known.StatusFrequency != registration.StatusFrequency)
        {
            catalog.Set(new Registration(registration.Name, registration.Mailbox, registration.StatusFrequency, registration.OwnerTag, known?.SubscriptionIds ?? [], tokenHash, registration.Source));
        }

        var heard = current.SubscriptionId is { } id ? await registry.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        var now = time.GetUtcNow();
        var step = KeepAliveRules.Next(current, registration, heard, now, Options, startingUp);
        if (step is null)
        {
            var observed = KeepAliveRules.Observe(current, heard);
            if (observed != current)
            {
                await store.SaveAsync(observed, [], cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (step.Action == KeepAliveAction.Stop)
        {
            Stopped(logger, registration.Name, step.Reason);
            await store.SaveAsync(current with { State = ManagedSubscriptionState.Stopped, LastError = step.Reason, LastErrorAt = now }, [], cancellationToken).ConfigureAwait(false);
            return;
        }

        var (state, events) = await SubscribeAsync(registration, current, step, cancellationToken).ConfigureAwait(false);
        await store.SaveAsync(state, events, cancellationToken).ConfigureAwait(false);
        if (events.Count > 0)
        {
            notifier.Notify();
        }

        if (state.SubscriptionId is { } created && current.SubscriptionId is { } replaced && created != replaced)
        {
            await RetireAsync(replaced, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(ManagedSubscription State, IReadOnlyList<LifecycleEvent> Events)> SubscribeAsync(ManagedRegistration registration, ManagedSubscription current, KeepAliveStep step, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(registration, current, step, cancellationToken).ConfigureAwait(false);
        if (result.RetryFresh)
        {
            // ErrorInvalidWatermark: the events since that watermark are out of reach. Start from now and say so.
            WatermarkRefused(logger, registration.Name);
            result = await AttemptAsync(registration, current, step with { Reason = KeepAliveRules.InvalidWatermark, Watermark = null }, cancellationToken).ConfigureAwait(false);
        }

        return (result.State, result.Events);
    }

    private async Task<(ManagedSubscription State, IReadOnlyList<LifecycleEvent> Events, bool RetryFresh)> AttemptAsync(ManagedRegistration registration, ManagedSubscription current, KeepAliveStep step, CancellationToken cancellationToken)
    {
        var options = subscriptionOptions.Value;
        var credentialName = registration.Ews.Credential;
        if (!options.Credentials.TryGetValue(credentialName, out var credential))
        {
            var missing = SubscribeResponse.Failure("CredentialNotConfigured", $"No credential '{credentialName}' under {SubscriptionOptions.SectionName}:Credentials.");
            return KeepAliveRules.After(current, registration, step, missing, time.GetUtcNow(), Options);
        }

        var request = new PushSubscribeRequest(
            registration.Mailbox,
            registration.Ews.Folders,
            registration.Ews.AllFolders,
            registration.Ews.EventTypes,
            step.Watermark,
            registration.StatusFrequency,
            CallbackUrl(options.PublicBaseUrl!, current.CallbackToken),
            credential.Impersonate,
            registration.Ews.ServerVersion);
        Subscribing(logger, registration.Name, step.Reason, step.Watermark is not null);
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        SubscribeResponse response;
        try
        {
            response = await ews.SubscribeAsync(registration.Ews.Url, credentialName, credential, request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            response = SubscribeResponse.Failure("Timeout", $"Exchange did not answer within {Options.RequestTimeout}.");
        }

        var result = KeepAliveRules.After(current, registration, step, response, time.GetUtcNow(), Options);
        switch (result.State.State)
        {
            case ManagedSubscriptionState.Active:
                Subscribed(logger, registration.Name, result.State.SubscriptionId!, step.Reason);
                break;
            case ManagedSubscriptionState.Stopped:
                GaveUp(logger, registration.Name, response.ResponseCode, response.MessageText);
                break;
            case ManagedSubscriptionState.BackingOff:
                BackingOff(logger, registration.Name, response.ResponseCode, response.MessageText, result.State.NextAttemptAt);
                break;
            default:
                break;
        }

        return result;
    }

    /// <summary>The replaced subscription's next push is answered Unsubscribe, also when it has never pushed yet.</summary>
    private async Task RetireAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        if (!await registry.MarkUnsubscribeAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
        {
            await registry.RecordRefusedAsync(subscriptionId, null, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>{PublicBaseUrl}{Endpoint:Path}/{token}</c>.</summary>
    internal Uri CallbackUrl(string publicBaseUrl, string token) =>
        new(publicBaseUrl.TrimEnd('/') + CallbackToken.PathOf(listenerOptions.Value.Endpoint.Path, token));

    [LoggerMessage(600, LogLevel.Information, "Managed registration {Registration}: subscribing ({Reason}, from a watermark: {FromWatermark})")]
    private static partial void Subscribing(ILogger logger, string registration, string reason, bool fromWatermark);

    [LoggerMessage(601, LogLevel.Information, "Managed registration {Registration}: subscribed, subscription {SubscriptionId} ({Reason})")]
    private static partial void Subscribed(ILogger logger, string registration, string subscriptionId, string reason);

    [LoggerMessage(602, LogLevel.Warning, "Managed registration {Registration}: Subscribe failed with {ResponseCode} ({MessageText}); trying again at {RetryAt}")]
    private static partial void BackingOff(ILogger logger, string registration, string responseCode, string? messageText, DateTimeOffset? retryAt);

    [LoggerMessage(603, LogLevel.Error, "Managed registration {Registration}: Subscribe failed with {ResponseCode} ({MessageText}); retrying cannot help, so PushListener stopped. Fix the cause, then force a resubscribe (POST /api/managed-subscriptions/{Registration}/resubscribe)")]
    private static partial void GaveUp(ILogger logger, string registration, string responseCode, string? messageText);

    [LoggerMessage(604, LogLevel.Warning, "Managed registration {Registration}: Exchange refused the last watermark (ErrorInvalidWatermark); subscribing from now. Consumers must run a full sync (resyncRequired)")]
    private static partial void WatermarkRefused(ILogger logger, string registration);

    [LoggerMessage(605, LogLevel.Warning, "Managed registration {Registration}: stopped. {Reason}")]
    private static partial void Stopped(ILogger logger, string registration, string reason);

    [LoggerMessage(606, LogLevel.Error, "Managed registration {Registration}: the keep-alive round failed; trying again at the next round")]
    private static partial void RoundFailed(ILogger logger, string registration, Exception exception);
}
