using Microsoft.Extensions.Options;
using PushListener.Hosting;

namespace PushListener.Storage;

/// <summary>The store's initialisation as the first start-up step.</summary>
internal sealed partial class StorageStartupStep(IStorageInitializer storage, IOptions<StorageOptions> options, ILogger<StorageStartupStep> logger) : IStartupStep
{
    public StartupStage Stage => StartupStage.OpenStorage;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
        Opened(logger, options.Value.Provider);
    }

    [LoggerMessage(320, LogLevel.Information, "Storage: {Provider} opened and up to date")]
    private static partial void Opened(ILogger logger, string provider);
}
