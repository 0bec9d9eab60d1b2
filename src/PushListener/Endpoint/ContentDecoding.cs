using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace PushListener.Endpoint;

/// <summary>
/// The request's <c>Content-Encoding</c>: <c>gzip</c> (and <c>x-gzip</c>), <c>deflate</c> (zlib, RFC 9110 8.4.1.2),
/// <c>br</c> and <c>identity</c>, in any order and combination. The decoded stream is read like a plain body, so the
/// endpoint's size limit applies to the decoded bytes: a gzip bomb stops at the limit, in bounded memory.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The <c>Accept-Encoding</c> a 415 for an unsupported coding carries, as RFC 9110 15.5.16 asks.</summary>
    public const string Supported = "gzip, deflate, br";

    /// <summary>
    /// <paramref name="body"/> wrapped in a decoder per coding, last applied first removed; false when a coding is not
    /// supported. When <paramref name="decoded"/> is not <paramref name="body"/>, disposing it disposes every decoder and
    /// leaves the request body open.
    /// </summary>
    public static bool TryDecode(StringValues contentEncoding, Stream body, out Stream decoded)
    {
        decoded = body;
        if (StringValues.IsNullOrEmpty(contentEncoding))
        {
            return true;
        }

        var codings = new List<string>(1);
        foreach (var value in contentEncoding)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                codings.Add(part);
            }
        }

        for (var i = codings.Count - 1; i >= 0; i--)
        {
            var coding = codings[i];
            if (coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Each decoder owns the one below it, except the request body, which belongs to the server.
            var leaveOpen = ReferenceEquals(decoded, body);
            Stream? next = coding.ToUpperInvariant() switch
            {
                "GZIP" or "X-GZIP" => new GZipStream(decoded, CompressionMode.Decompress, leaveOpen),
                "DEFLATE" => new ZLibStream(decoded, CompressionMode.Decompress, leaveOpen),
                "BR" => new BrotliStream(decoded, CompressionMode.Decompress, leaveOpen),
                _ => null,
            };
            if (next is null)
            {
                if (!leaveOpen)
                {
                    decoded.Dispose();
                }

                decoded = body;
                return false;
            }

            decoded = next;
        }

        return true;
    }
}
