using PushListener.Handlers.Webhook;

namespace PushListener.Handlers.JsonLines;

/// <summary>
/// Appends each notification to a file as one line of JSON in the webhook schema (<c>pushlistener.notification/v1</c>):
/// the simplest durable hand-off to scripts and log shippers, and a handler whose effects a test can read back.
/// A line is written and flushed before the handler reports success, so a crash after success never loses it.
/// </summary>
internal sealed class JsonLinesHandler : INotificationHandler, IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly FileStream _file;
    private readonly bool _flushToDisk;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public JsonLinesHandler(string path, bool flushToDisk)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, useAsync: true);
        _flushToDisk = flushToDisk;
    }

    public static JsonLinesHandler Create(IServiceProvider services, JsonLinesSettings settings, string name)
    {
        var root = services.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
        return new JsonLinesHandler(Path.GetFullPath(settings.Path!, root), settings.FlushToDisk);
    }

    public NotificationFilter Filter => NotificationFilter.Everything;

    public async ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        var line = WebhookPayload.Serialize(context);
        await _lock.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            await _file.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await _file.WriteAsync(NewLine, CancellationToken.None).ConfigureAwait(false);
            _file.Flush(_flushToDisk);
        }
        finally
        {
            _lock.Release();
        }

        return HandlerResult.Continue;
    }

    public void Dispose()
    {
        _file.Dispose();
        _lock.Dispose();
    }
}
