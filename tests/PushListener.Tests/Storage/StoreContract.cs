using Microsoft.Extensions.Time.Testing;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage;

/// <summary>
/// The base of every store contract: a fresh store per test from the provider's <see cref="IStorageTarget"/>, a fake
/// clock, and builders for pushes. Derived classes hold the tests; a provider adds only a derived class per contract.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    private StorageUnderTest? _storage;

    private protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private protected StorageUnderTest Storage => _storage ?? throw new InvalidOperationException("The store is not started.");

    private protected abstract IStorageTarget Target { get; }

    public async Task InitializeAsync() => _storage = await Target.CreateAsync(Time);

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    private protected static string Sub(int n) => PushBuilder.SubscriptionId(n);

    /// <summary>Message <paramref name="sequence"/> of <paramref name="subscription"/>'s watermark chain.</summary>
    private protected static MessageAppend Message(string subscription, int sequence, int index = 0, string? registration = null, bool heartbeat = false, TimeSpan? registeredInterval = null) =>
        MessageAppends.Chained(subscription, sequence, index, registration, heartbeat, registeredInterval);

    /// <summary>An error push's message: Exchange ended the subscription.</summary>
    private protected static MessageAppend ErrorMessage(string subscription, string code) => MessageAppends.Error(subscription, code);

    /// <summary>A push of <paramref name="messages"/> with a real SOAP body (of the first subscription's first sequence).</summary>
    private protected PushAppend Push(params MessageAppend[] messages) => PushWithTrace(null, messages);

    private protected PushAppend PushWithTrace(string? traceParent, params MessageAppend[] messages) =>
        new(PushBuilder.NewMail(messages[0].SubscriptionId ?? Sub(0), 1), Time.GetUtcNow(), "Exchange2013", traceParent, messages);

    private protected async Task<MessageAppendResult> AppendOneAsync(MessageAppend message) =>
        (await Storage.EntryLog.AppendAsync(Push(message), CancellationToken.None)).Messages[0];

    private protected Task<IReadOnlyList<ClaimedEntry>> ClaimAsync(string owner, int max = 100, int leaseSeconds = 30) =>
        Storage.EntryLog.ClaimAsync(owner, max, TimeSpan.FromSeconds(leaseSeconds), CancellationToken.None).AsTask();
}
