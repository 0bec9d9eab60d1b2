namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>
/// The fake Exchange's way to the listener under test: forwards each push to whichever in-memory listener is current, so
/// a test can stop the listener (pushes then fail, as to a host that is down) and start another on the same data. While
/// a listener starts (<see cref="Hold"/>), pushes wait for it, as they would queue at a listener's socket.
/// </summary>
internal sealed class ListenerRelay : HttpMessageHandler
{
    private volatile TaskCompletionSource<HttpMessageInvoker?> _target = Completed(null);

    /// <summary>A listener is starting: pushes wait until <see cref="Point"/>.</summary>
    public void Hold()
    {
        if (_target.Task.IsCompleted)
        {
            _target = new TaskCompletionSource<HttpMessageInvoker?>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Pushes go to <paramref name="handler"/> from now on (null: the listener is down, pushes fail).</summary>
    public void Point(HttpMessageHandler? handler)
    {
        var invoker = handler is null ? null : new HttpMessageInvoker(handler, disposeHandler: true);
        if (!_target.TrySetResult(invoker))
        {
            _target = Completed(invoker);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = await _target.Task.WaitAsync(cancellationToken);
        if (target is null)
        {
            throw new HttpRequestException("Connection refused (the listener is down).");
        }

        try
        {
            return await target.SendAsync(request, cancellationToken);
        }
        catch (ObjectDisposedException ex)
        {
            // The listener stopped while this push was on its way: to a sender that is a connection reset, not a crash.
            throw new HttpRequestException("Connection reset (the listener stopped).", ex);
        }
    }

    private static TaskCompletionSource<HttpMessageInvoker?> Completed(HttpMessageInvoker? invoker)
    {
        var source = new TaskCompletionSource<HttpMessageInvoker?>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult(invoker);
        return source;
    }
}
