namespace PushListener.Hosting;

/// <summary>
/// Runs the start-up steps in stage order (the store first), then opens the <see cref="StartupGate"/>. A hosted service
/// whose <see cref="StartAsync"/> completes before the server takes requests.
/// </summary>
internal sealed partial class PushListenerStartup(IEnumerable<IStartupStep> steps, StartupGate gate, ILogger<PushListenerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var stage in steps.GroupBy(s => s.Stage).OrderBy(g => g.Key))
        {
            foreach (var step in stage)
            {
                try
                {
                    await step.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Storage.StorageUnavailableException ex)
                {
                    // The one line an operator needs, ahead of the host's report with the stack trace.
                    StoreUnusable(logger, ex.Message);
                    throw;
                }
            }
        }

        gate.Open();
        Started(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(105, LogLevel.Critical, "PushListener cannot start: {Reason}")]
    private static partial void StoreUnusable(ILogger logger, string reason);

    [LoggerMessage(100, LogLevel.Debug, "Start-up steps done; background workers may run")]
    private static partial void Started(ILogger logger);
}
