using System.Buffers;

namespace PushListener.Endpoint;

/// <summary>
/// The request body read into a pooled buffer, so the parser runs synchronously on memory (no blocking reads) and the
/// exact bytes are at hand for the inbox. Return it with <see cref="Dispose"/>.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    private byte[] _buffer;

    private RequestBodyBuffer(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Reads the whole body, or returns null when it exceeds <paramref name="maxBytes"/>.</summary>
    public static async ValueTask<RequestBodyBuffer?> ReadAsync(Stream body, long? contentLength, int maxBytes, CancellationToken cancellationToken)
    {
        var size = contentLength is > 0 ? (int)Math.Min(contentLength.Value, maxBytes + 1L) : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 256));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }

            return new RequestBodyBuffer(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Leaves the buffer to the garbage collector instead of the pool: after a store that gave up waiting (a timeout),
    /// a writer may still be sending these bytes, and a pooled buffer would be reused under it by another request.
    /// </summary>
    public void Abandon() => Interlocked.Exchange(ref _buffer, []);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
