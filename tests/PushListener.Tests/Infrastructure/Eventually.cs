namespace PushListener.Tests.Infrastructure;

/// <summary>Polls a condition that background work will make true; fails with a clear message when it does not in time.</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan? within = null) => TrueAsync(() => Task.FromResult(condition()), within);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met within {within ?? TimeSpan.FromSeconds(10)}.");
            }

            await Task.Delay(20);
        }
    }
}
