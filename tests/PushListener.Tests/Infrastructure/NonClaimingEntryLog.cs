using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Inbox;

namespace PushListener.Tests.Infrastructure;

/// <summary>
/// The host's own entry log, except that its dispatcher never gets an entry: every push this instance stores is run by
/// another instance on the same database, as happens to some of them under load.
/// </summary>
internal sealed class NonClaimingEntryLog(IEntryLog inner) : IEntryLog
{
    /// <summary>Wraps the entry log the host registered (call from <see cref="ListenerFactory.WithServices"/>).</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IEntryLog));
        services.Replace(ServiceDescriptor.Singleton<IEntryLog>(sp => new NonClaimingEntryLog((IEntryLog)registered.ImplementationFactory!(sp))));
    }

    public ValueTask<IReadOnlyList<ClaimedEntry>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ClaimedEntry>>([]);

    public ValueTask<PushAppendResult> AppendAsync(PushAppend push, CancellationToken cancellationToken) => inner.AppendAsync(push, cancellationToken);

    public Task<int> RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) => inner.RenewLeasesAsync(owner, lease, cancellationToken);

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) => inner.ReleaseLeasesAsync(owner, cancellationToken);

    public Task RecordAttemptAsync(long entryId, int attempt, IReadOnlyList<HandlerAttempt> handlers, CancellationToken cancellationToken) =>
        inner.RecordAttemptAsync(entryId, attempt, handlers, cancellationToken);

    public Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken) =>
        inner.CompleteAsync(entryId, attempts, vote, reason, cancellationToken);

    public Task DeadLetterAsync(long entryId, int attempts, string lastError, CancellationToken cancellationToken) =>
        inner.DeadLetterAsync(entryId, attempts, lastError, cancellationToken);

    public Task<EntryLogStats> GetStatsAsync(CancellationToken cancellationToken) => inner.GetStatsAsync(cancellationToken);

    public Task ProbeAsync(int payloadBytes, CancellationToken cancellationToken) => inner.ProbeAsync(payloadBytes, cancellationToken);

    public Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken) => inner.DeleteProcessedAsync(before, cancellationToken);
}
