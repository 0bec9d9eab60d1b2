using System.Net;
using PushListener.Protocol;
using PushListener.Simulator.Generation;

namespace PushListener.Simulator.Sending;

/// <summary>
/// POSTs pushes the way Exchange Online does (<c>Content-Type: text/xml; charset=utf-8</c>, <c>Accept: text/xml</c>,
/// an unquoted SOAPAction, <c>Accept-Encoding: gzip</c>, no Authorization) and classifies the answer. Thread-safe.
/// </summary>
internal sealed class ExchangeSender(HttpClient client, TimeSpan timeout, TimeProvider time)
{
    public TimeSpan Timeout { get; } = timeout;

    public TimeProvider Time { get; } = time;

    /// <summary>
    /// A client for real sockets: <paramref name="maxConnections"/> connections per listener, gzip answers accepted
    /// (which adds Exchange's <c>Accept-Encoding: gzip</c>), no redirects, cookies or overall timeout.
    /// </summary>
    public static HttpClient CreateHttpClient(int maxConnections = int.MaxValue) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            AutomaticDecompression = DecompressionMethods.GZip,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

    /// <summary>The Content-Type Exchange sends for <paramref name="version"/>.</summary>
    public static string ContentType(SoapVersion version, string charset = "utf-8") =>
        version == SoapVersion.Soap11
            ? $"text/xml; charset={charset}"
            : $"application/soap+xml; charset={charset}; action=\"{XmlNames.SendNotificationAction}\"";

    /// <summary>Sends a generated push, timing from now.</summary>
    public Task<DeliveryResult> SendAsync(Uri url, GeneratedPush push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        return SendAsync(url, push.Body, push.SoapVersion, "utf-8", Time.GetTimestamp(), captureReply: false, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="body"/>. Latency counts from <paramref name="startTimestamp"/> (a <see cref="TimeProvider"/>
    /// timestamp), which open-loop load sets to the scheduled time. Throws only when <paramref name="cancellationToken"/>
    /// is cancelled; every other failure is a result.
    /// </summary>
    public async Task<DeliveryResult> SendAsync(
        Uri url,
        ReadOnlyMemory<byte> body,
        SoapVersion version,
        string charset,
        long startTimestamp,
        bool captureReply,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        // TryAddWithoutValidation keeps the values byte for byte as Exchange sends them (SOAPAction unquoted).
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType(version, charset));
        if (version == SoapVersion.Soap11)
        {
            request.Headers.TryAddWithoutValidation("Accept", XmlNames.Soap11ContentType);
            request.Headers.TryAddWithoutValidation("SOAPAction", XmlNames.SendNotificationAction);
        }
        else
        {
            request.Headers.TryAddWithoutValidation("Accept", XmlNames.Soap12ContentType);
        }

        using var timeoutSource = new CancellationTokenSource(Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var reply = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var latency = Time.GetElapsedTime(startTimestamp);
            var status = (int)response.StatusCode;
            var parsed = ReplyParser.Parse(reply);
            var text = captureReply ? System.Text.Encoding.UTF8.GetString(reply) : null;
            var outcome = (response.IsSuccessStatusCode, parsed.Kind) switch
            {
                (true, ReplyKind.Ok) => DeliveryOutcome.Ok,
                (true, ReplyKind.Unsubscribe) => DeliveryOutcome.Unsubscribe,
                (_, ReplyKind.Fault) => DeliveryOutcome.Fault,
                (true, _) => DeliveryOutcome.BadReply,
                _ => DeliveryOutcome.HttpError,
            };
            var detail = outcome switch
            {
                DeliveryOutcome.HttpError => $"HTTP {status} {response.ReasonPhrase}",
                DeliveryOutcome.Ok or DeliveryOutcome.Unsubscribe => null,
                _ => parsed.Detail,
            };
            return new DeliveryResult(outcome, status, latency, detail, text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Timeout, null, Time.GetElapsedTime(startTimestamp), $"no answer within {Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryOutcome.ConnectionError, null, Time.GetElapsedTime(startTimestamp), ex.Message);
        }
    }
}
