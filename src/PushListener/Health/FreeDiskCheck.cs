using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace PushListener.Health;

/// <summary>Ready only while the inbox's file system has at least <see cref="HealthOptions.MinFreeDiskMegabytes"/> free.</summary>
internal sealed class FreeDiskCheck(InboxDataFolder folder, IFreeDiskSpace disk, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var minimum = options.Value.MinFreeDiskMegabytes * 1024 * 1024;
        long available;
        try
        {
            available = disk.AvailableBytes(folder.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"Free space on {folder.Path} could not be read: {ex.Message}"));
        }

        var megabytes = available / (1024 * 1024);
        return Task.FromResult(available >= minimum
            ? HealthCheckResult.Healthy($"{megabytes} MB free on {folder.Path}.")
            : new HealthCheckResult(context.Registration.FailureStatus, $"{megabytes} MB free on {folder.Path}, below PushListener:Health:MinFreeDiskMegabytes ({options.Value.MinFreeDiskMegabytes})."));
    }
}
