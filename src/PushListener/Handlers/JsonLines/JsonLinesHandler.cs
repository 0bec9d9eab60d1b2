using PushListener.Handlers.Webhook;

namespace PushListener.Handlers.JsonLines;

/// <summary>
/// Appends each notification to a file as one line of JSON in the webhook schema (<c>pushlistener.notification/v1</c>):
/// the simplest durable hand-off to scripts and log shippers, and a handler whose effects a test can read back.
/// A line is written (with its newline, in one write) and flushed before the handler reports success, so a crash after
/// success never loses it. A line a crash cut short was never reported as handled, so it will be written again in whole:
/// opening the file drops such a torn last line, so the next line starts on a line of its own (see <see cref="DropTornLastLine"/>).
/// </summary>
internal sealed class JsonLinesHandler : INotificationHandler, IDisposable
{
    private const byte NewLine = (byte)'\n';
    private readonly FileStream _file;
    private readonly bool _flushToDisk;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public JsonLinesHandler(string path, bool flushToDisk)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DropTornLastLine(path);
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
        var json = WebhookPayload.Serialize(context);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = NewLine;
        await _lock.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            await _file.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            _file.Flush(_flushToDisk);
        }
        finally
        {
            _lock.Release();
        }

        return HandlerResult.Continue;
    }

    /// <summary>
    /// Cuts a torn last line off: the bytes after the file's last newline, when they are the start of a line this handler
    /// writes (a JSON object). Anything else after the last newline is not ours to delete (a file <c>Path</c> points at by
    /// mistake): it is ended with a newline instead, so the next line still starts on a line of its own.
    /// </summary>
    internal static void DropTornLastLine(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        using (file)
        {
            var end = file.Length;
            if (end == 0 || LastByte(file, end) == NewLine)
            {
                return;
            }

            var lineStart = 0L;
            Span<byte> chunk = stackalloc byte[4096];
            for (var position = end; position > 0;)
            {
                var size = (int)Math.Min(chunk.Length, position);
                position -= size;
                file.Position = position;
                file.ReadExactly(chunk[..size]);
                var last = chunk[..size].LastIndexOf(NewLine);
                if (last >= 0)
                {
                    lineStart = position + last + 1;
                    break;
                }
            }

            file.Position = lineStart;
            if (file.ReadByte() == '{')
            {
                file.SetLength(lineStart);
            }
            else
            {
                file.Position = end;
                file.WriteByte(NewLine);
            }
        }
    }

    private static int LastByte(FileStream file, long end)
    {
        file.Position = end - 1;
        return file.ReadByte();
    }

    public void Dispose()
    {
        _file.Dispose();
        _lock.Dispose();
    }
}
