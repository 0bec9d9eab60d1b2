using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Storage;
using PushListener.Subscriptions;

namespace PushListener.Tests.Storage;

/// <summary>
/// A store wired the way the host wires it (through the provider's builder extension), with only what storage needs:
/// configuration, options, logging and the test's clock. Initialised (migrated) before the test sees it.
/// </summary>
internal sealed class StorageUnderTest : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Func<ValueTask>? _cleanup;

    private StorageUnderTest(ServiceProvider services, Func<ValueTask>? cleanup)
    {
        _services = services;
        _cleanup = cleanup;
    }

    public IEntryLog EntryLog => _services.GetRequiredService<IEntryLog>();

    public IDeadLetterStore DeadLetters => _services.GetRequiredService<IDeadLetterStore>();

    public IStickyVoteStore StickyVotes => _services.GetRequiredService<IStickyVoteStore>();

    public ISubscriptionRegistry Subscriptions => _services.GetRequiredService<ISubscriptionRegistry>();

    public IRegistrationStore Registrations => _services.GetRequiredService<IRegistrationStore>();

    public IFeedStore Feeds => _services.GetRequiredService<IFeedStore>();

    public IServiceProvider Services => _services;

    /// <param name="useProvider">The provider's builder extension, for example <c>b => b.UseSqliteStorage()</c>.</param>
    /// <param name="settings">Configuration pointing at a fresh store.</param>
    /// <param name="time">The test's clock.</param>
    /// <param name="cleanup">Deletes the store after the test (runs after the services are disposed).</param>
    public static async Task<StorageUnderTest> StartAsync(Action<IPushListenerBuilder> useProvider, IReadOnlyDictionary<string, string?> settings, TimeProvider time, Func<ValueTask>? cleanup = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<InboxOptions>().Bind(configuration.GetSection(InboxOptions.SectionName));
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.AddOptions<SubscriptionOptions>().Bind(configuration.GetSection(SubscriptionOptions.SectionName));
        useProvider(new PushListenerBuilder(services, configuration));
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IStorageInitializer>().InitializeAsync(CancellationToken.None);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return new StorageUnderTest(provider, cleanup);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_cleanup is not null)
        {
            await _cleanup();
        }
    }
}
