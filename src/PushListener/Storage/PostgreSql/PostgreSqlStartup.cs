namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Runs the storage initializer before any hosted service starts (<see cref="IHostedLifecycleService.StartingAsync"/>
/// runs before every <c>StartAsync</c>), so nothing sees an old schema and a bad database stops start-up at once.
/// </summary>
internal sealed class PostgreSqlStartup(IStorageInitializer initializer) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => initializer.InitializeAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
