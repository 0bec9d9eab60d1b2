using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using PushListener.Health;

namespace PushListener.Tests.Health;

public sealed class BoundedHealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task CheckThatNeverAnswers_FailsWithTheSettingAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var never = new DelegateCheck(async (_, _) =>
        {
            // Ignores its token, as a client stuck on a cancel request a paused server never answers.
            await new TaskCompletionSource().Task;
            return HealthCheckResult.Healthy();
        });
        var check = new BoundedHealthCheck(never, Timeout, time);

        var run = check.CheckHealthAsync(Context(never));
        Assert.False(run.IsCompleted);
        time.Advance(Timeout);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("PushListener:Health:CheckTimeout", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckThatThrowsACancellationNotTheCallers_IsUnhealthyWithTheReason()
    {
        var cancelled = new DelegateCheck((_, _) => throw new OperationCanceledException("Query was cancelled"));
        var check = new BoundedHealthCheck(cancelled, Timeout, new FakeTimeProvider());

        var result = await check.CheckHealthAsync(Context(cancelled));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("Query was cancelled", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancels_TheCancellationPropagates()
    {
        var never = new DelegateCheck(async (_, token) =>
        {
            // Answers only when cancelled: no clock, a signal that never comes on its own.
            await new TaskCompletionSource().Task.WaitAsync(token);
            return HealthCheckResult.Healthy();
        });
        var check = new BoundedHealthCheck(never, Timeout, new FakeTimeProvider());
        using var caller = new CancellationTokenSource();

        var run = check.CheckHealthAsync(Context(never), caller.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task HealthyCheck_AnswersAsItIs()
    {
        var healthy = new DelegateCheck((_, _) => Task.FromResult(HealthCheckResult.Healthy("fine")));

        var result = await new BoundedHealthCheck(healthy, Timeout, new FakeTimeProvider()).CheckHealthAsync(Context(healthy));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("fine", result.Description);
    }

    private static HealthCheckContext Context(IHealthCheck check) =>
        new() { Registration = new HealthCheckRegistration("test", check, HealthStatus.Unhealthy, null) };

    private sealed class DelegateCheck(Func<HealthCheckContext, CancellationToken, Task<HealthCheckResult>> run) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => run(context, cancellationToken);
    }
}
