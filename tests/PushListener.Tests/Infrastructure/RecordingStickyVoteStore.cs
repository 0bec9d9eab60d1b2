using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Inbox;

namespace PushListener.Tests.Infrastructure;

/// <summary>The host's own sticky-vote store, wrapped so that a test knows when a vote was stored and how often one was withdrawn.</summary>
internal sealed class RecordingStickyVoteStore : IStickyVoteStore
{
    private readonly TaskCompletionSource _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IStickyVoteStore? _inner;
    private int _withdrawals;
    private int _stores;

    /// <summary>Completes when the first <see cref="SetAsync"/> has stored its vote.</summary>
    public Task Stored => _stored.Task;

    public int Withdrawals => Volatile.Read(ref _withdrawals);

    /// <summary>How many votes were stored (each <see cref="SetAsync"/> that completed).</summary>
    public int StoredCount => Volatile.Read(ref _stores);

    private IStickyVoteStore Inner => _inner ?? throw new InvalidOperationException("The host has not resolved the store yet.");

    /// <summary>Wraps the store the host registered (call from <see cref="ListenerFactory.WithServices"/>).</summary>
    public void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IStickyVoteStore));
        services.Replace(ServiceDescriptor.Singleton<IStickyVoteStore>(sp =>
        {
            _inner = (IStickyVoteStore)registered.ImplementationFactory!(sp);
            return this;
        }));
    }

    public async Task SetAsync(string subscriptionId, string? reason, CancellationToken cancellationToken)
    {
        await Inner.SetAsync(subscriptionId, reason, cancellationToken);
        Interlocked.Increment(ref _stores);
        _stored.TrySetResult();
    }

    public Task WithdrawAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _withdrawals);
        return Inner.WithdrawAsync(subscriptionId, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, string?>> ListAsync(CancellationToken cancellationToken) => Inner.ListAsync(cancellationToken);
}
