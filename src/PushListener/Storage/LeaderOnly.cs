namespace PushListener.Storage;

/// <summary>Runs work only while this instance leads, starting it again each time leadership returns.</summary>
internal static class LeaderOnly
{
    /// <summary>
    /// Waits for leadership, runs <paramref name="work"/> with a token cancelled when leadership is lost or the host
    /// stops, and waits again; returns when <paramref name="stoppingToken"/> is cancelled.
    /// </summary>
    public static async Task RunAsync(ILeadership leadership, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leading;
            try
            {
                leading = await leadership.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var both = CancellationTokenSource.CreateLinkedTokenSource(leading, stoppingToken);
            try
            {
                await work(both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
            }

            if (!leading.IsCancellationRequested)
            {
                // The work finished on its own while still leading: nothing more to do.
                return;
            }
        }
    }
}
